import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge } from '../support/cli.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** Every entry of the data directory with its mode, e.g. `callbridge.db 600`. */
function modes(dataDir: string): string[] {
  return readdirSync(dataDir)
    .sort()
    .map((name) => `${name} ${modeOf(path.join(dataDir, name)).toString(8)}`);
}

/**
 * Issue 14: `callbridge.db` and its WAL/SHM files were 0644 (readable by every local user). The data directory is
 * 0700 and everything in it 0600, for new installations and for existing ones when the process starts.
 */
describe('the data directory and the SQLite files', () => {
  it('are created 0700 / 0600 by the CLI (database, secret key, whatever else it writes)', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'cb-perm-')), 'data');
    const migrated = await callbridge(dataDir, [
      'accounts',
      'create',
      '--name',
      'Provider',
      '--kind',
      'partner',
    ]);
    expect(migrated.code).toBe(0);
    expect(modeOf(dataDir).toString(8)).toBe('700');
    const files = modes(dataDir);
    expect(files).toEqual(expect.arrayContaining(['callbridge.db 600', 'secret.key 600']));
    for (const entry of files) expect(entry).toMatch(/ 600$/);
  }, 60_000);

  it('fixes an existing installation at start, WAL and SHM files included, while the database is open', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'cb-perm-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    const config = loadConfig({ env: {}, overrides: { dataDir } });
    const logger = pino({ level: 'silent' });
    // An installation made before the fix: everything world-readable.
    const first = await createAppContext(config, logger);
    await first.services.accounts.create(
      { type: 'system', id: null, label: 'test', source: 'cli' },
      { name: 'Provider', kind: 'partner' },
    );
    await first.close();
    writeFileSync(path.join(dataDir, 'emulator-state.json'), '{}', { mode: 0o644 });
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) chmodSync(path.join(dataDir, name), 0o644);

    const again = await createAppContext(config, logger);
    try {
      await again.services.accounts.list({ type: 'system', id: null, label: 'test', source: 'cli' });
      expect(modeOf(dataDir).toString(8)).toBe('700');
      const files = modes(dataDir);
      expect(files).toEqual(
        expect.arrayContaining(['callbridge.db 600', 'callbridge.db-wal 600', 'emulator-state.json 600']),
      );
      for (const entry of files) expect(entry).toMatch(/ 600$/);
    } finally {
      await again.close();
    }
  });
});
