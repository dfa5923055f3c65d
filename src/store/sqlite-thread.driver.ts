import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { Worker } from 'node:worker_threads';
import type { FromSqliteThread, SqliteThreadOptions, ToSqliteThread } from './sqlite-thread.protocol.js';

/**
 * Kysely's SQLite dialect with the connection on a thread of its own. better-sqlite3 runs every statement on the
 * calling thread, and one process serves the API, the worker and the SIP agent: a 50,000-row CSV import is one
 * all-or-nothing transaction, and its COMMIT alone (SQLite writing and checksumming tens of megabytes of WAL frames)
 * held the event loop for 130-160 ms, past the 100 ms the SIP agent's timers may slip. Here the statements run on
 * the SQLite thread and the main thread only awaits their answers, so no statement, however long, delays a
 * REGISTER refresh or a call. Kysely's own SqliteDialect cannot do this: it takes a synchronous database object.
 *
 * As with Kysely's SQLite driver, there is one connection: a mutex hands it to one query or transaction at a time,
 * in order; statements run in the order they were sent.
 *
 * @example new Kysely<Database>({ dialect: new SqliteThreadDialect({ file, checkpointsElsewhere: true }) })
 */
export class SqliteThreadDialect implements Dialect {
  constructor(private readonly options: SqliteThreadOptions) {}

  createDriver(): Driver {
    return new SqliteThreadDriver(this.options);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

/** An error of a statement, as SQLite reported it on its thread (`code` as better-sqlite3 names it). */
export class SqliteThreadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

/** Plain JavaScript, started without tsx (see the file: a tsx thread costs ~35 MB of RSS, this one ~5 MB). */
const entry = new URL('./sqlite-thread.worker.js', import.meta.url);

class SqliteThreadDriver implements Driver {
  private readonly mutex = new ConnectionMutex();
  private connection: SqliteThreadConnection | undefined;

  constructor(private readonly options: SqliteThreadOptions) {}

  async init(): Promise<void> {
    this.connection = new SqliteThreadConnection(this.options);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection!;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }

  async destroy(): Promise<void> {
    await this.connection?.close();
  }
}

interface Pending {
  resolve(result: QueryResult<unknown>): void;
  reject(error: Error): void;
}

/** The main thread's end of the SQLite thread: sends statements, matches answers by id. */
class SqliteThreadConnection implements DatabaseConnection {
  private readonly thread: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: Error | undefined;
  private closed: (() => void) | undefined;

  constructor(options: SqliteThreadOptions) {
    // `execArgv: []`: not the process's `--import tsx`, which the thread does not need.
    this.thread = new Worker(entry, { workerData: { sqlite: options }, execArgv: [] });
    // The thread keeps the process alive only while a statement is on its way (see `executeQuery`).
    this.thread.unref();
    this.thread.on('message', (message: FromSqliteThread) => this.answer(message));
    this.thread.on('error', (error) => this.stop(error));
    this.thread.on('exit', () => this.stop(new Error('The SQLite thread stopped.')));
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const promise = new Promise<QueryResult<R>>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject }),
    );
    if (this.pending.size === 1) this.thread.ref();
    this.thread.postMessage({
      kind: 'query',
      id,
      sql: compiledQuery.sql,
      parameters: compiledQuery.parameters,
    } satisfies ToSqliteThread);
    return promise;
  }

  // eslint-disable-next-line require-yield -- the interface asks for a generator; nothing here streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by the SQLite thread; read in pages.');
  }

  /** Closes the database on its thread (SQLite checkpoints the WAL on the last close) and ends the thread. */
  close(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.thread.ref();
    return new Promise((resolve) => {
      this.closed = resolve;
      this.thread.postMessage({ kind: 'close' } satisfies ToSqliteThread);
    });
  }

  private answer(message: FromSqliteThread): void {
    if (message.kind === 'closed') {
      this.stop(new Error('The database is closed.'));
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.thread.unref();
    if (message.kind === 'failed') pending.reject(new SqliteThreadError(message.message, message.code));
    else if (message.kind === 'rows') pending.resolve({ rows: message.rows });
    else
      pending.resolve({
        rows: [],
        numAffectedRows: BigInt(message.changes),
        insertId: message.lastInsertRowid,
      });
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    for (const pending of this.pending.values()) pending.reject(reason);
    this.pending.clear();
    this.thread.unref();
    this.closed?.();
  }
}

/** One connection, one user at a time (as Kysely's SQLite driver does it). */
class ConnectionMutex {
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  unlock(): void {
    const release = this.release;
    this.held = undefined;
    this.release = undefined;
    release?.();
  }
}
