/** The messages between the SQLite thread (sqlite-thread.worker.js) and its driver on the main thread. */

export interface SqliteThreadOptions {
  /** The database file, or `:memory:`. */
  file: string;
  /** The checkpoint thread copies the WAL back (wal-checkpointer.ts): automatic checkpoints off. */
  checkpointsElsewhere: boolean;
}

export type ToSqliteThread =
  { kind: 'query'; id: number; sql: string; parameters: readonly unknown[] } | { kind: 'close' };

export type FromSqliteThread =
  | { kind: 'rows'; id: number; rows: unknown[] }
  | { kind: 'changed'; id: number; changes: number; lastInsertRowid: bigint }
  | { kind: 'failed'; id: number; message: string; code?: string }
  | { kind: 'closed' };
