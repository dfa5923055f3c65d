/**
 * Worker-thread entry of imports: per import (`id`), receives the account's users in slices, then reads and plans
 * the file (number parsing against the full numbering-plan metadata is the heavy part) and sends the planned rows
 * and report lines back in slices, each when the main thread asks for the next (see csv-reader.ts). Started by
 * csv-reader.ts through bin/ts-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import type { ImportPlan } from '../domain/csv/index.js';
import { planImportFile, type PlanningUser } from './import-planning.js';
import { SLICE, type FromPlanner, type ToPlanner } from './csv-reader.js';

const usersOf = new Map<number, PlanningUser[]>();
/** Plans being sent back, and how far. */
const sending = new Map<number, { plan: ImportPlan; rowsSent: number; issuesSent: number }>();
const port = parentPort;

port?.on('message', (message: ToPlanner) => {
  if (message.kind === 'users') {
    const users = usersOf.get(message.id) ?? [];
    for (const user of message.users) users.push(user);
    usersOf.set(message.id, users);
    return;
  }
  if (message.kind === 'next') {
    sendNext(message.id);
    return;
  }
  const users = usersOf.get(message.id) ?? [];
  usersOf.delete(message.id);
  try {
    sending.set(message.id, { plan: planImportFile(message.request, users), rowsSent: 0, issuesSent: 0 });
    sendNext(message.id);
  } catch (error) {
    send({ id: message.id, kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});

function send(answer: FromPlanner): void {
  port?.postMessage(answer);
}

/** The next slice of rows and report lines, or, when all are sent, the rest of the plan. */
function sendNext(id: number): void {
  const state = sending.get(id);
  if (!state) return;
  const { plan } = state;
  if (state.rowsSent < plan.rows.length || state.issuesSent < plan.issues.length) {
    const rows = plan.rows.slice(state.rowsSent, state.rowsSent + SLICE);
    const issues = plan.issues.slice(state.issuesSent, state.issuesSent + SLICE);
    state.rowsSent += rows.length;
    state.issuesSent += issues.length;
    send({ id, kind: 'part', rows, issues });
    return;
  }
  sending.delete(id);
  send({ id, kind: 'done', plan: { ...plan, rows: [], issues: [] } });
}
