#!/usr/bin/env node
// Builds the portal (web/ -> web/dist) with Vite's JS API, only when web/dist is missing or older than a source
// file; otherwise it returns at once. `npm start` runs it before the server; the portal tests call buildPortal().
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webRoot = path.join(repoRoot, 'web');
const distIndex = path.join(webRoot, 'dist', 'index.html');

/** Puts a finished build in place of web/dist. */
function replaceDist(staging) {
  const dist = path.join(webRoot, 'dist');
  const old = `${staging}-old`;
  try {
    renameSync(dist, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(staging, dist);
  } catch (error) {
    // Another build swapped its output in at the same moment: that one is just as current.
    if (!existsSync(distIndex)) throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

/** Newest modification time (ms) of the files under dir, skipping the build output. */
function newestSourceTime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (
        full === path.join(webRoot, 'dist') ||
        entry.name.startsWith('.dist-') ||
        entry.name === 'node_modules'
      )
        continue;
      newest = Math.max(newest, newestSourceTime(full));
    } else if (entry.isFile()) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/** True when web/dist is missing or older than any file in web/. */
export function portalIsStale() {
  let builtAt;
  try {
    builtAt = statSync(distIndex).mtimeMs;
  } catch {
    return true;
  }
  return newestSourceTime(webRoot) > builtAt;
}

/**
 * Builds the portal when it is stale (or always with force). Resolves to whether a build ran.
 * @example await buildPortal(); // false when web/dist is already current
 */
export async function buildPortal({ force = false, quiet = false } = {}) {
  if (!force && !portalIsStale()) return false;
  const started = Date.now();
  if (!quiet) process.stdout.write('Building the portal (web/ -> web/dist)... ');
  const { build } = await import('vite');
  // Always React's production build, also under a test runner that sets NODE_ENV=test (Vite reads it).
  const nodeEnv = process.env.NODE_ENV;
  // Built beside web/dist and swapped in whole: a running server never serves half a build, and two builds at
  // once (tests and npm start) do not empty each other's output.
  const staging = path.join(webRoot, `.dist-${process.pid}-${Date.now()}`);
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(webRoot, 'vite.config.ts'),
      mode: 'production',
      logLevel: quiet ? 'silent' : 'warn',
      build: { outDir: staging, emptyOutDir: true },
    });
    replaceDist(staging);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    rmSync(staging, { recursive: true, force: true });
  }
  if (!quiet) process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    await buildPortal({ force: process.argv.includes('--force') });
  } catch (error) {
    console.error('\nThe portal build failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
