/**
 * Worker-thread entry of sqlite-thread.driver.ts: owns the process's connection to one SQLite database and runs the
 * statements the main thread sends, one at a time in arrival order, answering each with its rows or its change
 * count. Started through bin/ts-worker.js with `workerData.sqlite` (the file and whether its checkpoints run on the
 * checkpoint thread).
 */
import SqliteDatabase from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromSqliteThread, SqliteThreadOptions, ToSqliteThread } from './sqlite-thread.protocol.js';

const options = (workerData as { sqlite: SqliteThreadOptions }).sqlite;
const port = parentPort!;

let connection: SqliteDatabase.Database | undefined;
let openError: unknown;
try {
  connection = new SqliteDatabase(options.file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  // Checkpoints run on the checkpoint thread (wal-checkpointer.ts), not inside our COMMITs.
  if (options.checkpointsElsewhere) connection.pragma('wal_autocheckpoint = 0');
} catch (error) {
  openError = error;
}

port.on('message', (message: ToSqliteThread) => {
  if (message.kind === 'close') {
    connection?.close();
    port.postMessage({ kind: 'closed' } satisfies FromSqliteThread);
    port.close();
    return;
  }
  port.postMessage(run(message.id, message.sql, message.parameters));
});

function run(id: number, sql: string, parameters: readonly unknown[]): FromSqliteThread {
  try {
    if (!connection) throw openError;
    const statement = connection.prepare(sql);
    if (statement.reader) return { kind: 'rows', id, rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { kind: 'changed', id, changes, lastInsertRowid: BigInt(lastInsertRowid) };
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    return { kind: 'failed', id, message: message ?? String(error), ...(code !== undefined && { code }) };
  }
}
