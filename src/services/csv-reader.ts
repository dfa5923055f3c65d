import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ImportPlan, PlannedRow } from '../domain/csv/index.js';
import { AppError } from '../domain/errors.js';
import type { PlanningRequest, PlanningUser } from './import-planning.js';

/**
 * Reads and plans an import file on a worker thread. One process serves the API, the worker and the SIP agent on
 * one event loop; reading and planning 50,000 rows (decoding, csv-parse, a libphonenumber reading of every number,
 * the lookups) took seconds of CPU, during which no SIP refresh timer could fire. The thread is started per import
 * (imports are rare; a fresh thread gives its memory back at once) through bin/ts-worker.js, which registers tsx
 * there as bin/callbridge.js does in the main thread: the product runs its TypeScript sources directly.
 *
 * Copying data between threads costs the sending and the receiving thread alike, so the users go out and the
 * planned rows come back in slices, the event loop free between them.
 */

/** Users or planned rows per message. */
export const SLICE = 2000;

/** Main thread to planner. */
export type ToPlanner = { kind: 'users'; users: PlanningUser[] } | { kind: 'plan' };
/** Planner to main thread. */
export type FromPlanner = { kind: 'rows'; rows: PlannedRow[] } | { kind: 'done'; plan: ImportPlan };

/** Longest a file may take to read and plan before the import is refused. */
const PLAN_TIMEOUT_MS = 300_000;

const launcher = new URL('../../bin/ts-worker.js', import.meta.url);
const entry = new URL('./csv-read.worker.ts', import.meta.url).href;

/**
 * Read and plan an import file off the event loop, against every user of the account.
 * @example const plan = await planImportOffLoop({ file, serviceId, serviceKind: 'pbx', defaultCountry: 'GB' }, users);
 */
export async function planImportOffLoop(
  request: PlanningRequest,
  everyone: readonly PlanningUser[],
): Promise<ImportPlan> {
  const worker = new Worker(launcher, { workerData: { entry, request } });
  const planned = collectPlan(worker);
  // Awaited below; this only keeps an early failure of the posting loop from leaving it unhandled.
  planned.catch(() => undefined);
  try {
    for (let start = 0; start < everyone.length; start += SLICE) {
      worker.postMessage({ kind: 'users', users: everyone.slice(start, start + SLICE) } satisfies ToPlanner);
      await setImmediate();
    }
    worker.postMessage({ kind: 'plan' } satisfies ToPlanner);
    return await planned;
  } finally {
    await worker.terminate();
  }
}

function collectPlan(worker: Worker): Promise<ImportPlan> {
  return new Promise((resolve, reject) => {
    const rows: PlannedRow[] = [];
    const timer = setTimeout(
      () =>
        reject(
          new AppError('validation_failed', 'The file took too long to read; split it into smaller files.'),
        ),
      PLAN_TIMEOUT_MS,
    );
    const settle = (finish: () => void) => {
      clearTimeout(timer);
      finish();
    };
    worker.on('message', (message: FromPlanner) => {
      if (message.kind === 'rows') rows.push(...message.rows);
      else settle(() => resolve({ ...message.plan, rows }));
    });
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() =>
        reject(new Error(`the import planning thread stopped (exit code ${code}) without a plan`)),
      ),
    );
  });
}
