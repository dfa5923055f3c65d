import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/support/until.js';
import { openDatabase, type DatabaseHandle } from './database.js';

/**
 * SQLite's checkpoints run on the checkpoint thread, not inside the COMMITs of the event loop's connection: a
 * committed write stays in the WAL until that thread copies it into the database file.
 */
describe('WAL checkpoints off the event loop', () => {
  let dir: string;
  let handle: DatabaseHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the commit to the WAL and lets the checkpoint thread move it into the database file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cb-wal-'));
    const file = path.join(dir, 'callbridge.db');
    handle = openDatabase(`sqlite:${file}`);
    const db = handle.db;
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(autocheckpoint.rows[0]?.wal_autocheckpoint).toBe(0);
    await sql`create table filler (body blob)`.execute(db);
    const fileBefore = statSync(file).size;
    // About 8 MB in one transaction: SQLite's automatic checkpoint would have run at 1,000 pages (4 MB).
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 80; i++)
        await sql`insert into filler (body) values (randomblob(100000))`.execute(tx);
    });
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(8_000_000);
    expect(statSync(file).size).toBeLessThan(fileBefore + 1_000_000);
    // The checkpoint thread copies the pages into the database file within a second or so.
    await until(
      () => statSync(file).size > fileBefore + 8_000_000,
      10_000,
      'the WAL checkpointed into the file',
    );
    const rows = await sql<{ n: number }>`select count(*) as n from filler`.execute(db);
    expect(Number(rows.rows[0]?.n)).toBe(80);
  });
});
