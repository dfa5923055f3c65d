/**
 * Worker-thread entry of imports: per import (`id`), receives the account's users in slices, then reads and plans
 * the file (number parsing against the full numbering-plan metadata is the heavy part) and sends the planned rows
 * back in slices. Started by csv-reader.ts through bin/ts-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { planImportFile, type PlanningUser } from './import-planning.js';
import { SLICE, type FromPlanner, type ToPlanner } from './csv-reader.js';

const usersOf = new Map<number, PlanningUser[]>();
const port = parentPort;

port?.on('message', (message: ToPlanner) => {
  if (message.kind === 'users') {
    const users = usersOf.get(message.id) ?? [];
    users.push(...message.users);
    usersOf.set(message.id, users);
    return;
  }
  const users = usersOf.get(message.id) ?? [];
  usersOf.delete(message.id);
  const send = (answer: FromPlanner) => port.postMessage(answer);
  try {
    const plan = planImportFile(message.request, users);
    for (let start = 0; start < plan.rows.length; start += SLICE)
      send({ id: message.id, kind: 'rows', rows: plan.rows.slice(start, start + SLICE) });
    send({ id: message.id, kind: 'done', plan: { ...plan, rows: [] } });
  } catch (error) {
    send({ id: message.id, kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});
