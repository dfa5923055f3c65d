import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import {
  migrateToLatest,
  openDatabase,
  type DatabaseHandle,
  type Dialect,
} from '../../src/store/database.js';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

/**
 * A fresh, migrated database of the given dialect: an in-memory SQLite, or a new database in the test run's
 * PostgreSQL server. `drop()` closes and removes it.
 */
export async function createTestDatabase(
  dialect: Dialect,
): Promise<DatabaseHandle & { url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle.db);
    return { ...handle, url: 'sqlite::memory:', drop: () => handle.close() };
  }
  const serverUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = serverUrl.replace(/\/postgres$/, `/${name}`);
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    async drop() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
