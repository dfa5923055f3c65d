import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { createAppContext, type AppContext } from '../app/context.js';
import { loadConfig, type Config } from '../config/config.js';
import type { Actor } from '../domain/records.js';
import { createLogger } from '../observability/logger.js';

/** Global options every command accepts (they override environment and config file). */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** The configuration for a command: environment (the only place process.env is read) plus global flags. */
export function configFrom(command: Command, extra: Record<string, unknown> = {}): Config {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return loadConfig({
    env: process.env,
    overrides: {
      config: globals.config,
      dataDir: globals.dataDir,
      databaseUrl: globals.databaseUrl,
      ...extra,
    },
  });
}

/** Runs `work` with an application context, closing the database afterwards. Logs go to stderr. */
export async function withContext<T>(command: Command, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = configFrom(command);
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    format: 'json',
    isTerminal: false,
  });
  const ctx = await createAppContext(config, logger);
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

/** The actor recorded in the audit log for changes made from the command line. */
export function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  return { type: 'system', id: null, label: `cli:${name}`, source: 'cli' };
}

/** Prints rows as aligned columns, or as JSON with --json. */
export function printRows(rows: Record<string, unknown>[], columns: string[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cell = (value: unknown): string =>
    value === null || value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n',
  );
}
