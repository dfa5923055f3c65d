/**
 * Worker-thread entry of wal-checkpointer.ts: a connection of its own to each watched SQLite file, and a PASSIVE
 * checkpoint of each twice a second. Started through bin/ts-worker.js.
 */
import SqliteDatabase from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';
import type { ToCheckpointer } from './wal-checkpointer.js';

/** How often the WAL is copied back into the database file. */
const INTERVAL_MS = 500;

const connections = new Map<number, SqliteDatabase.Database>();

parentPort?.on('message', (message: ToCheckpointer) => {
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
      if ((error as { code?: string }).code === 'SQLITE_CANTOPEN') connections.delete(id);
    }
  }
}, INTERVAL_MS);
