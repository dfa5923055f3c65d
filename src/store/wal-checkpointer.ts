import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's WAL checkpoints off the event loop. better-sqlite3 runs every statement on the calling thread, and
 * SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1,000 pages: after a 50,000-row
 * import that COMMIT copied the whole WAL into the database file and held the loop for about 0.9 s, while the SIP
 * agent's refresh timers share that loop. So the process's connections turn automatic checkpoints off, and one
 * worker thread, with a connection of its own to each database file, runs PASSIVE checkpoints twice a second
 * (PASSIVE never waits for, nor blocks, readers and writers; an idle database costs one cheap call). If the thread
 * dies, the connections get their automatic checkpoints back, so the WAL can never grow without bound.
 */

/** What the checkpoint thread is told. */
export type ToCheckpointer = { kind: 'watch'; id: number; file: string } | { kind: 'forget'; id: number };

interface Watched {
  /** Turns the connection's automatic checkpoints back on (the thread died). */
  fallback(): void;
}

/** Plain JavaScript, started without tsx (a tsx thread costs ~35 MB of RSS, this one ~5 MB). */
const entry = new URL('./wal-checkpoint.worker.js', import.meta.url);
const watched = new Map<number, Watched>();
let nextId = 1;
let thread: Worker | undefined;

/**
 * Hands a database file's checkpoints to the checkpoint thread; answers the function to call before closing the
 * connection. `fallback` restores automatic checkpoints on the connection should the thread stop.
 */
export function checkpointOffLoop(file: string, fallback: () => void): () => void {
  const id = nextId++;
  watched.set(id, { fallback });
  checkpointThread().postMessage({ kind: 'watch', id, file } satisfies ToCheckpointer);
  return () => {
    if (!watched.delete(id)) return;
    thread?.postMessage({ kind: 'forget', id } satisfies ToCheckpointer);
    if (watched.size === 0) {
      void thread?.terminate();
      thread = undefined;
    }
  };
}

function checkpointThread(): Worker {
  if (thread) return thread;
  const worker = new Worker(entry, { execArgv: [] });
  // Never what keeps the process alive: on exit SQLite's last close checkpoints on its own.
  worker.unref();
  const lost = () => {
    if (thread !== worker) return;
    thread = undefined;
    for (const connection of watched.values()) connection.fallback();
    watched.clear();
  };
  worker.on('error', lost);
  worker.on('exit', lost);
  thread = worker;
  return worker;
}
