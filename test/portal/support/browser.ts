import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DESKTOP } from './screenshots.js';

/** The `chromium` binary on PATH (Debian's package puts it there; CI installs it). */
export function findChromium(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    'The portal tests need Chromium, and no `chromium` binary is on PATH. Install it (Debian: `apt-get install chromium`; .ci/run does) and run the tests again.',
  );
}

/** Headless Chromium for the portal tests. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/**
 * A desktop-sized page signed in to the portal at `baseUrl` as `admin`; page errors are collected into `errors`
 * (the tests assert there are none).
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  admin: { email: string; password: string },
  errors: string[],
): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  return page;
}
