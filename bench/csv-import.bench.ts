/**
 * Issue 5 "Measure", the pure part: read, validate and plan an import of 10,000 users as Excel writes the file
 * (UTF-8 BOM, CRLF, most numbers without their `+`, some with extensions), then export them. The target for the
 * whole import, database included, is 10 s; this part should be a small fraction of it.
 *
 *   node --import tsx bench/csv-import.bench.ts [--rows 10000] [--runs 5]
 *
 * Prints a summary and one JSON line: {"bench":"csv-import", ...}.
 */
import { readImportFile } from '../src/domain/csv/csv-import.js';
import { planImport, type ImportContext, type ImportUser } from '../src/domain/csv/csv-plan.js';
import { toCsv } from '../src/domain/csv/csv-export.js';
import { indexHolders } from '../src/domain/numbers/index.js';
import { benchNumberOf as numberOf, excelImportFile, median } from './support/csv-import.fixture.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROWS = arg('rows', 10_000);
const RUNS = arg('runs', 5);

// The tenant: every row's user exists; the first half are configured already and hold the numbers they keep.
const users: ImportUser[] = Array.from({ length: ROWS }, (_, i) => ({
  id: `u${i}`,
  email: `user${i}@contoso.com`,
  displayName: `User ${i}`,
  kind: 'standard',
  phoneNumber: i < ROWS / 2 ? numberOf(i) : null,
  extension: null,
  numberType: i < ROWS / 2 ? 'ddi' : null,
  sipUsername: i < ROWS / 2 ? String(100_000 + i) : null,
  authUsername: null,
  hasSipPassword: i < ROWS / 2,
  externalId: null,
}));

function context(): ImportContext {
  const byEmail = new Map(users.map((user) => [user.email, user]));
  const holders = indexHolders(
    users.flatMap((user) =>
      user.phoneNumber === null
        ? []
        : [
            {
              id: user.id,
              kind: 'user' as const,
              displayName: user.displayName,
              email: user.email,
              e164: user.phoneNumber,
            },
          ],
    ),
  );
  const sip = new Map(
    users.flatMap((user) => (user.sipUsername === null ? [] : [[user.sipUsername, user] as const])),
  );
  return {
    serviceKind: 'pbx',
    findUser: (email) => byEmail.get(email),
    findNumberHolder: holders,
    findSipUsernameHolder: (name) => sip.get(name),
  };
}

const file = excelImportFile(ROWS);
const timings = { readMs: [] as number[], planMs: [] as number[], exportMs: [] as number[] };
let summary = { ok: false, create: 0, update: 0, unchanged: 0, error: 0, fixed: 0 };
for (let run = 0; run <= RUNS; run += 1) {
  const t0 = performance.now();
  const read = readImportFile(file, { serviceKind: 'pbx', defaultCountry: 'GB' });
  const t1 = performance.now();
  const plan = planImport(read, context());
  const t2 = performance.now();
  const exported = toCsv('pbx', users);
  const t3 = performance.now();
  if (exported.length === 0) throw new Error('empty export');
  if (run === 0) continue; // warm-up
  timings.readMs.push(t1 - t0);
  timings.planMs.push(t2 - t1);
  timings.exportMs.push(t3 - t2);
  const fixed = plan.issues.filter((issue) => issue.severity === 'fixed').length;
  summary = { ok: plan.ok, ...plan.counts, fixed };
}

const figures = {
  rows: ROWS,
  runs: RUNS,
  fileBytes: file.length,
  readValidateMs: Math.round(median(timings.readMs)),
  planMs: Math.round(median(timings.planMs)),
  totalImportMs: Math.round(median(timings.readMs) + median(timings.planMs)),
  exportMs: Math.round(median(timings.exportMs)),
  ...summary,
};
console.log(`
CSV import, pure part (${ROWS} rows, median of ${RUNS} runs after a warm-up)
  read + validate   ${figures.readValidateMs} ms
  plan              ${figures.planMs} ms
  import total      ${figures.totalImportMs} ms  (target for the whole import with the database: 10,000 ms)
  export            ${figures.exportMs} ms
  plan              ok=${summary.ok} create=${summary.create} update=${summary.update} unchanged=${summary.unchanged} error=${summary.error}, ${summary.fixed} cells repaired
`);
console.log(JSON.stringify({ bench: 'csv-import', ...figures }));
