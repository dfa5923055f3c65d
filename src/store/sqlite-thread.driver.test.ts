import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isUniqueViolation } from './database.js';
import { SqliteThreadDialect } from './sqlite-thread.driver.js';

const dirs: string[] = [];
const open: Kysely<unknown>[] = [];

function database(): Kysely<unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-sqlite-thread-'));
  dirs.push(dir);
  const db = new Kysely<unknown>({
    dialect: new SqliteThreadDialect({ file: path.join(dir, 'db.sqlite'), checkpointsElsewhere: false }),
  });
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite on a thread of its own', () => {
  it('keeps the event loop turning while a long statement runs', async () => {
    const db = database();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    // A statement that keeps SQLite busy for a few hundred milliseconds.
    const { rows } = await sql<{ n: number }>`
      with recursive counter(x) as (select 1 union all select x + 1 from counter where x < 3000000)
      select count(*) as n from counter`.execute(db);
    const ms = performance.now() - started;
    clearInterval(timer);
    expect(rows[0]!.n).toBe(3_000_000);
    // On the calling thread (better-sqlite3's way) the timer could not fire at all until the statement returned.
    expect(ms).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it('answers rows, change counts and SQLite error codes as the synchronous driver did', async () => {
    const db = database();
    await sql`create table t (id integer primary key, name text unique)`.execute(db);
    const inserted = await sql`insert into t (name) values ('a'), ('b')`.execute(db);
    expect(inserted.numAffectedRows).toBe(2n);
    const { rows } = await sql<{ id: number; name: string }>`select id, name from t order by id`.execute(db);
    expect(rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    const duplicate = await sql`insert into t (name) values ('a')`
      .execute(db)
      .catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect((duplicate as Error).message).toMatch(/UNIQUE constraint failed: t\.name/);
  });

  it('rolls a failed transaction back and keeps statements in the order they were sent', async () => {
    const db = database();
    await sql`create table t (id integer primary key, name text)`.execute(db);
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`insert into t (name) values ('kept only if committed')`.execute(tx);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => sql`insert into t (name) values (${`row ${i}`})`.execute(db)),
    );
    const { rows } = await sql<{ name: string }>`select name from t order by id`.execute(db);
    expect(rows.map((row) => row.name)).toEqual(Array.from({ length: 50 }, (_, i) => `row ${i}`));
  });

  it('reuses a prepared statement and still answers what the schema holds now', async () => {
    const db = database();
    await sql`create table t (id integer primary key, name text)`.execute(db);
    await sql`insert into t (name) values ('a')`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from t order by id`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, name: 'a' }]);
    // The same text again after the table changed: the kept statement must not answer the old columns.
    await sql`alter table t add column email text`.execute(db);
    await sql`update t set email = 'a@example.com'`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, name: 'a', email: 'a@example.com' }]);
    await sql`drop table t`.execute(db);
    await expect(read()).rejects.toThrow(/no such table: t/);
    await sql`create table t (id integer primary key, label text)`.execute(db);
    await sql`insert into t (label) values ('b')`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, label: 'b' }]);
  });

  it('says why when the database cannot be opened, and refuses statements once closed', async () => {
    const missing = new Kysely<unknown>({
      dialect: new SqliteThreadDialect({ file: '/nonexistent-dir/db.sqlite', checkpointsElsewhere: false }),
    });
    open.push(missing);
    await expect(sql`select 1`.execute(missing)).rejects.toThrow(/unable to open|directory does not exist/i);
    const db = database();
    await sql`select 1`.execute(db);
    open.splice(open.indexOf(db), 1);
    await db.destroy();
    await expect(sql`select 1`.execute(db)).rejects.toThrow();
  });
});
