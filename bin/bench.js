#!/usr/bin/env node
// Runs every benchmark in bench/ (or those named on the command line) one after another, each in its own Node
// process so memory figures are not mixed, and prints their JSON result lines together at the end.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
const results = [];
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(benchDir, file)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(run.stdout ?? '');
  if (run.status !== 0) failed++;
  for (const line of (run.stdout ?? '').split('\n')) if (line.startsWith('{"bench"')) results.push(line);
}
process.stdout.write(`\n=== results ===\n${results.join('\n')}\n`);
process.exit(failed > 0 ? 1 : 0);
