/**
 * Worker-thread entry of an import: receives the account's users in slices, then reads and plans the file
 * (number parsing against the full numbering-plan metadata is the heavy part) and sends the planned rows back in
 * slices. Started by csv-reader.ts through bin/ts-worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { planImportFile, type PlanningRequest, type PlanningUser } from './import-planning.js';
import { SLICE, type FromPlanner, type ToPlanner } from './csv-reader.js';

const request = (workerData as { request: PlanningRequest }).request;
const users: PlanningUser[] = [];
const port = parentPort;

port?.on('message', (message: ToPlanner) => {
  if (message.kind === 'users') {
    users.push(...message.users);
    return;
  }
  const plan = planImportFile(request, users);
  for (let start = 0; start < plan.rows.length; start += SLICE)
    port.postMessage({ kind: 'rows', rows: plan.rows.slice(start, start + SLICE) } satisfies FromPlanner);
  port.postMessage({ kind: 'done', plan: { ...plan, rows: [] } } satisfies FromPlanner);
});
