import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres } from '../../test/support/postgres-server.js';

/** The value at percentile `p` (0-100) of an ascending list; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Runs `run` five times to warm up, then `runs` times timed: p50 and p95 in ms (two decimals) and the last answer.
 * @example const { p50, p95, last } = await timeRuns(200, () => repo.list(accountId, {}, 50));
 */
export async function timeRuns<T>(
  runs: number,
  run: () => Promise<T>,
): Promise<{ p50: number; p95: number; last: T }> {
  const times: number[] = [];
  let last!: T;
  for (let i = 0; i < runs + 5; i++) {
    const started = performance.now();
    last = await run();
    if (i >= 5) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    p50: Number(percentile(times, 50).toFixed(2)),
    p95: Number(percentile(times, 95).toFixed(2)),
    last,
  };
}

/**
 * Runs a bench on each database asked for (`sqlite`, `postgres`): a SQLite file in a temporary directory and a
 * throw-away PostgreSQL server; answers each one's figures by database.
 */
export async function onEachDatabase(
  databases: readonly string[],
  run: (name: 'SQLite' | 'PostgreSQL', url: string) => Promise<unknown>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const dir = mkdtempSync(path.join(tmpdir(), 'callbridge-bench-'));
  try {
    if (databases.includes('sqlite'))
      out.sqlite = await run('SQLite', `sqlite:${path.join(dir, 'callbridge.db')}`);
    if (databases.includes('postgres')) {
      const server = await startPostgres();
      try {
        out.postgres = await run('PostgreSQL', server.url);
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
