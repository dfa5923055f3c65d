// @ts-check
/**
 * Worker-thread entry of sqlite-thread.driver.ts: owns the process's connection to one SQLite database and runs the
 * statements the main thread sends, one at a time in arrival order, answering each with its rows or its change
 * count. Started with `workerData.sqlite` (the file and whether its checkpoints run on the checkpoint thread).
 *
 * Plain JavaScript (types in JSDoc), started without tsx: a thread that registers tsx gets its own module loader
 * thread and transpiler and cost about 35 MB of RSS, against about 5 MB for this file (issue 21: the whole process
 * has 256 MB for a 100,000-user sync). Keep it free of TypeScript imports.
 */
import SqliteDatabase from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** @typedef {import('./sqlite-thread.protocol.js').FromSqliteThread} FromSqliteThread */
/** @typedef {import('./sqlite-thread.protocol.js').ToSqliteThread} ToSqliteThread */
/** @typedef {import('./sqlite-thread.protocol.js').SqliteThreadOptions} SqliteThreadOptions */

/**
 * Prepared statements kept for reuse, by SQL text: compiling a statement costs more than running a small one, and
 * the same texts come back all the time (a sync's 500-row insert is one text of ~40 KB). Least recently used first
 * out (a Map keeps insertion order). Bounded by count and by the length of their texts, since a compiled statement
 * grows with its text (a multi-row insert holds a program of tens of thousands of steps).
 */
const CACHED_STATEMENTS = 200;
const CACHED_SQL_CHARS = 256 * 1024;

const options = /** @type {{ sqlite: SqliteThreadOptions }} */ (workerData).sqlite;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @type {SqliteDatabase.Database | undefined} */
let connection;
/** @type {unknown} */
let openError;
try {
  connection = new SqliteDatabase(options.file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  // A multi-row insert into a table with triggers keeps a statement journal (to undo that statement alone): in
  // memory, not in a temporary file written through the kernel (a 100,000-user sync wrote ~1 GB to it).
  connection.pragma('temp_store = MEMORY');
  // Checkpoints run on the checkpoint thread (wal-checkpointer.ts), not inside our COMMITs.
  if (options.checkpointsElsewhere) connection.pragma('wal_autocheckpoint = 0');
} catch (error) {
  openError = error;
}

/** @type {Map<string, SqliteDatabase.Statement>} */
const statements = new Map();
let cachedChars = 0;

port.on('message', (/** @type {ToSqliteThread} */ message) => {
  if (message.kind === 'close') {
    statements.clear();
    connection?.close();
    port.postMessage(/** @type {FromSqliteThread} */ ({ kind: 'closed' }));
    port.close();
    return;
  }
  port.postMessage(run(message.id, message.sql, message.parameters));
});

/**
 * @param {SqliteDatabase.Database} db
 * @param {string} sql
 */
function prepared(db, sql) {
  const cached = statements.get(sql);
  if (cached) {
    // Moved to the end: most recently used.
    statements.delete(sql);
    statements.set(sql, cached);
    return cached;
  }
  const statement = db.prepare(sql);
  if (sql.length > CACHED_SQL_CHARS / 4) return statement;
  statements.set(sql, statement);
  cachedChars += sql.length;
  while (statements.size > CACHED_STATEMENTS || cachedChars > CACHED_SQL_CHARS) {
    const oldest = /** @type {string} */ (statements.keys().next().value);
    statements.delete(oldest);
    cachedChars -= oldest.length;
  }
  return statement;
}

/**
 * @param {number} id
 * @param {string} sql
 * @param {readonly unknown[]} parameters
 * @returns {FromSqliteThread}
 */
function run(id, sql, parameters) {
  try {
    if (!connection) throw openError;
    const statement = prepared(connection, sql);
    if (statement.reader) return { kind: 'rows', id, rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { kind: 'changed', id, changes, lastInsertRowid: BigInt(lastInsertRowid) };
  } catch (error) {
    const { message, code } = /** @type {{ message?: string; code?: string }} */ (error);
    return { kind: 'failed', id, message: message ?? String(error), ...(code !== undefined && { code }) };
  }
}
