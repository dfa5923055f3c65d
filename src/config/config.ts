import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema, envNameOf, type Config } from './config.schema.js';

export type { Config, Role } from './config.schema.js';

/** Every problem found in the configuration, each naming where the value came from and what to do. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** The process environment (only the CLI passes `process.env`). */
  env: Record<string, string | undefined>;
  /** Values from command-line flags; they win over environment and file. */
  overrides?: Record<string, unknown>;
}

/**
 * Builds the configuration from a JSON config file (CALLBRIDGE_CONFIG or overrides.config), environment
 * variables and command-line overrides, in rising precedence. Collects every error before failing.
 *
 * @example loadConfig({ env: { CALLBRIDGE_PORT: '9090' } }).port // 9090
 */
export function loadConfig(sources: ConfigSources): Config {
  const problems: string[] = [];
  const keys = Object.keys(configSchema.shape);
  const fromFile = readConfigFile(sources, problems);
  const fromEnv: Record<string, unknown> = {};
  for (const key of keys) {
    const value = sources.env[envNameOf(key)];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const unknownEnv = Object.keys(sources.env).filter(
    (name) =>
      name.startsWith('CALLBRIDGE_') &&
      name !== 'CALLBRIDGE_CONFIG' &&
      !keys.some((k) => envNameOf(k) === name),
  );
  for (const name of unknownEnv)
    problems.push(`${name}: unknown setting; known: ${keys.map(envNameOf).join(', ')}`);
  const merged = { ...fromFile, ...fromEnv, ...definedOnly(sources.overrides ?? {}) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => describeIssue(issue)));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/** The SQLite file or PostgreSQL URL the configuration points at. */
/** Where administrators reach the portal: the configured public URL, else http://localhost:<port>. */
export function publicUrlOf(config: Config): string {
  return (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '');
}

export function databaseUrlOf(config: Config): string {
  return config.databaseUrl ?? `sqlite:${path.join(config.dataDir, 'callbridge.db')}`;
}

function readConfigFile(sources: ConfigSources, problems: string[]): Record<string, unknown> {
  const file = (sources.overrides?.['config'] as string | undefined) ?? sources.env['CALLBRIDGE_CONFIG'];
  if (!file) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${file}: must hold a JSON object of settings`);
      return {};
    }
    const known = Object.keys(configSchema.shape);
    for (const key of Object.keys(value)) {
      if (!known.includes(key))
        problems.push(`${file}: unknown setting "${key}"; known: ${known.join(', ')}`);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    problems.push(`${file}: cannot be read as JSON (${(error as Error).message})`);
    return {};
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.');
  return `${key} (${envNameOf(key)}): ${issue.message}`;
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && key !== 'config') out[key] = value;
  return out;
}
