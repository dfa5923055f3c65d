import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ImportIssue, ImportPlan, PlannedRow } from '../domain/csv/index.js';
import { AppError } from '../domain/errors.js';
import type { PlanningRequest, PlanningUser } from './import-planning.js';

/**
 * Reads and plans import files on a worker thread. One process serves the API, the worker and the SIP agent on one
 * event loop; reading and planning 50,000 rows (decoding, csv-parse, a libphonenumber reading of every number, the
 * lookups) took seconds of CPU, during which no SIP refresh timer could fire. The thread is started on the first
 * import through bin/ts-worker.js, which registers tsx there as bin/callbridge.js does in the main thread (the
 * product runs its TypeScript sources directly), and kept for the next ones (unref'd: it never holds the process
 * open); it is started again if it dies.
 *
 * Copying data between threads costs the sending and the receiving thread alike, so the users go out and the
 * planned rows and report lines come back in slices, the event loop free between them. The planner sends the next
 * slice only when asked: Node delivers every message already queued on a port in one turn of the loop, so slices
 * pushed all at once were read back to back (about 0.4 s for 50,000 rows).
 */

/** Users or planned rows per message. */
export const SLICE = 2000;

/** Main thread to planner, per import (`id`). */
export type ToPlanner =
  | { id: number; kind: 'users'; users: PlanningUser[] }
  | { id: number; kind: 'plan'; request: PlanningRequest }
  | { id: number; kind: 'next' };
/** Planner to main thread, per import: slices of the plan (each answered by `next`), then the rest of it. */
export type FromPlanner =
  | { id: number; kind: 'part'; rows: PlannedRow[]; issues: ImportIssue[] }
  | { id: number; kind: 'done'; plan: ImportPlan }
  | { id: number; kind: 'failed'; message: string };

/** Longest a file may take to read and plan before the import is refused (and the thread restarted). */
const PLAN_TIMEOUT_MS = 300_000;

const launcher = new URL('../../bin/ts-worker.js', import.meta.url);
const entry = new URL('./csv-read.worker.ts', import.meta.url).href;

interface Pending {
  rows: PlannedRow[];
  issues: ImportIssue[];
  resolve(plan: ImportPlan): void;
  reject(error: Error): void;
}

let planner: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/**
 * Read and plan an import file off the event loop, against every user of the account.
 * @example const plan = await planImportOffLoop({ file, serviceId, serviceKind: 'pbx', defaultCountry: 'GB' }, users);
 */
export async function planImportOffLoop(
  request: PlanningRequest,
  everyone: readonly PlanningUser[],
): Promise<ImportPlan> {
  const worker = plannerThread();
  // Held while an import waits for it (a CLI import has nothing else keeping the process alive).
  worker.ref();
  const id = nextId++;
  const planned = new Promise<ImportPlan>((resolve, reject) => {
    pending.set(id, { rows: [], issues: [], resolve, reject });
  });
  const timer = setTimeout(() => {
    pending
      .get(id)
      ?.reject(
        new AppError('validation_failed', 'The file took too long to read; split it into smaller files.'),
      );
    pending.delete(id);
    void worker.terminate();
  }, PLAN_TIMEOUT_MS);
  try {
    for (let start = 0; start < everyone.length; start += SLICE) {
      worker.postMessage({
        id,
        kind: 'users',
        users: everyone.slice(start, start + SLICE),
      } satisfies ToPlanner);
      await setImmediate();
    }
    worker.postMessage({ id, kind: 'plan', request } satisfies ToPlanner);
    return await planned;
  } finally {
    clearTimeout(timer);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
  }
}

function plannerThread(): Worker {
  if (planner) return planner;
  const worker = new Worker(launcher, { workerData: { entry } });
  worker.unref();
  worker.on('message', (message: FromPlanner) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    if (message.kind === 'part') {
      for (const row of message.rows) waiting.rows.push(row);
      for (const issue of message.issues) waiting.issues.push(issue);
      void setImmediate().then(() =>
        worker.postMessage({ id: message.id, kind: 'next' } satisfies ToPlanner),
      );
    } else if (message.kind === 'done')
      waiting.resolve({ ...message.plan, rows: waiting.rows, issues: waiting.issues });
    else waiting.reject(new Error(`reading the import file failed: ${message.message}`));
  });
  const fail = (error: Error) => {
    if (planner === worker) planner = undefined;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the import planning thread stopped (exit code ${code})`)));
  planner = worker;
  return worker;
}
