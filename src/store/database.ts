import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import * as coreRecords from './migrations/0001-core-records.js';
import * as sync from './migrations/0002-sync.js';
import * as access from './migrations/0003-access.js';
import * as numbers from './migrations/0004-numbers.js';
import * as tenantObjects from './migrations/0005-tenant-objects.js';
import * as phoneApp from './migrations/0006-phone-app.js';
import * as consentRequests from './migrations/0007-consent-requests.js';
import * as passwordChange from './migrations/0008-password-change.js';
import * as registrationRetry from './migrations/0009-registration-retry.js';
import * as auditBatches from './migrations/0010-audit-batches.js';
import * as usersPage from './migrations/0012-users-page.js';
import * as sipNodes from './migrations/0013-sip-nodes.js';
import * as accountIdOrder from './migrations/0019-account-id-order.js';
import * as callRecords from './migrations/0015-call-records.js';
import * as usersKindIndex from './migrations/0014-users-kind-index.js';
import * as serviceCallSettings from './migrations/0020-service-call-settings.js';
import * as trunkSettings from './migrations/0022-trunk-settings.js';
import * as alerts from './migrations/0021-alerts.js';
import * as trunkNodes from './migrations/0023-trunk-nodes.js';
import * as syncPlanParts from './migrations/0026-sync-plan-parts.js';
import * as phoneAppCalls from './migrations/0024-phone-app-calls.js';
import { secureSqliteFile } from './data-dir.js';
import { SqliteThreadDialect } from './sqlite-thread.driver.js';
import { checkpointOffLoop } from './wal-checkpointer.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** An open database: Kysely over better-sqlite3 or pg, chosen by the URL. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Migrations in order; a new migration is appended here (bundled, so no file-system scan at run time). */
const migrations: Record<string, Migration> = {
  '0001-core-records': coreRecords,
  '0002-sync': sync,
  '0003-access': access,
  '0004-numbers': numbers,
  '0005-tenant-objects': tenantObjects,
  '0006-phone-app': phoneApp,
  '0007-consent-requests': consentRequests,
  '0008-password-change': passwordChange,
  '0009-registration-retry': registrationRetry,
  '0010-audit-batches': auditBatches,
  '0012-users-page': usersPage,
  '0013-sip-nodes': sipNodes,
  '0019-account-id-order': accountIdOrder,
  '0015-call-records': callRecords,
  '0014-users-kind-index': usersKindIndex,
  '0020-service-call-settings': serviceCallSettings,
  '0022-trunk-settings': trunkSettings,
  '0021-alerts': alerts,
  '0023-trunk-nodes': trunkNodes,
  '0026-sync-plan-parts': syncPlanParts,
  '0024-phone-app-calls': phoneAppCalls,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Opens `sqlite:<path>` (the file and its directory are created) or `postgres://...`.
 *
 * @example const handle = openDatabase('sqlite:./data/callbridge.db');
 */
export function openDatabase(url: string): DatabaseHandle {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  return openPostgres(url);
}

function openSqlite(file: string): DatabaseHandle {
  // The database holds customer data: owner-only files (0600), also for its WAL and SHM.
  if (file !== ':memory:') secureSqliteFile(file);
  // Every statement runs on the SQLite thread (sqlite-thread.driver.ts), never on the event loop.
  const inMemory = file === ':memory:';
  const db = new Kysely<Database>({
    dialect: new SqliteThreadDialect({ file, checkpointsElsewhere: !inMemory }),
  });
  if (inMemory) return handleOf(db, 'sqlite');
  // Checkpoints run on a thread of their own (see wal-checkpointer.ts), not inside our COMMITs.
  const stopCheckpoints = checkpointOffLoop(file, () => {
    void sql`pragma wal_autocheckpoint = 1000`.execute(db).catch(() => undefined);
  });
  return handleOf(db, 'sqlite', stopCheckpoints);
}

function openPostgres(url: string): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return handleOf(db, 'postgres');
}

function handleOf(db: Kysely<Database>, dialect: Dialect, beforeClose = () => {}): DatabaseHandle {
  return {
    db,
    dialect,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => {
      beforeClose();
      return db.destroy();
    },
  };
}

/** Brings the schema to the latest migration; returns the names applied now. Throws with the failing name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when the error is a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
