import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.resolve('test-output', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// Long pages (a table of 50 users) are cut here: the top is what there is to look at.
const MAX_HEIGHT = 1600;

/**
 * Saves the page as it looks at 1280x800 and at phone width (390x844), down to 1600 pixels, as
 * test-output/screenshots/<name>-desktop.png and <name>-phone.png; leaves the page at desktop size.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, `${name}-${size}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, MAX_HEIGHT) },
    });
  }
  await page.setViewportSize(DESKTOP);
}
