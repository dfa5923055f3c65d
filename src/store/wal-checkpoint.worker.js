// @ts-check
/**
 * Worker-thread entry of wal-checkpointer.ts: a connection of its own to each watched SQLite file, and a PASSIVE
 * checkpoint of each twice a second. Plain JavaScript started without tsx, like sqlite-thread.worker.js (a tsx
 * thread costs about 35 MB of RSS, this one about 5 MB).
 */
import SqliteDatabase from 'better-sqlite3';
import { setInterval } from 'node:timers';
import { parentPort } from 'node:worker_threads';

/** How often the WAL is copied back into the database file. */
const INTERVAL_MS = 500;

/** @type {Map<number, SqliteDatabase.Database>} */
const connections = new Map();

parentPort?.on('message', (/** @type {import('./wal-checkpointer.js').ToCheckpointer} */ message) => {
  if (message.kind === 'forget') {
    connections.get(message.id)?.close();
    connections.delete(message.id);
    return;
  }
  const connection = new SqliteDatabase(message.file);
  connection.pragma('busy_timeout = 5000');
  connections.set(message.id, connection);
});

setInterval(() => {
  for (const [id, connection] of connections) {
    try {
      connection.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      // A busy or vanished file: tried again next time; a file that is gone is forgotten.
      if (/** @type {{ code?: string }} */ (error).code === 'SQLITE_CANTOPEN') connections.delete(id);
    }
  }
}, INTERVAL_MS);
