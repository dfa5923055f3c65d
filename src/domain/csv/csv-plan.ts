/**
 * The plan of a bulk import: per row, create (first configuration of a synced Teams user), update, unchanged or
 * error, with the changes to make. All or nothing: the plan can be applied only when no row has an error.
 *
 * What only the store knows comes in through {@link ImportContext}: lookups the service builds from a few queries
 * (e.g. Maps over the tenant's users and number holders, read once for the whole file), so this stays pure and
 * 10,000 rows cost 10,000 Map lookups, not 10,000 queries.
 */
import {
  checkNumberForService,
  checkNumberUnique,
  describeHolder,
  type NumberHolderLookup,
  type NumberRange,
  type NumberServiceKind,
  type NumberType,
} from '../numbers/index.js';
import { RowReport, type ImportIssue } from './csv-cells.js';
import type { ImportFile, ImportRow } from './csv-import.js';
import type { CsvTemplateName } from './csv-templates.js';

/** A synced Teams user (or resource account) as the plan needs it; the store's `User` record fits. */
export interface ImportUser {
  id: string;
  email: string;
  displayName: string;
  kind: 'standard' | 'phone_app' | 'resource_account';
  phoneNumber: string | null;
  extension: string | null;
  numberType?: NumberType | null;
  sipUsername: string | null;
  authUsername: string | null;
  hasSipPassword: boolean;
  externalId: string | null;
  callerId?: string | null;
}

/** Who uses a SIP username on the service. */
export interface SipUsernameHolder {
  id: string;
  displayName: string;
  email?: string | null;
}

/** What the plan needs from the store. */
export interface ImportContext {
  serviceKind: NumberServiceKind;
  /** The synced Teams user with this email (lower case; match the UPN too), if any. */
  findUser: (email: string) => ImportUser | undefined;
  /** Holder of a line URI in the tenant (users and resource accounts). */
  findNumberHolder: NumberHolderLookup;
  /** Holder of a SIP username (lower case) on the service. */
  findSipUsernameHolder?: (sipUsername: string) => SipUsernameHolder | undefined;
  /** Trunk services: the service's ranges; a trunk number must lie in one. */
  ranges?: readonly NumberRange[];
  /** Trunk services: the service numbers (shared caller IDs). Omit to skip the caller ID check. */
  serviceNumbers?: ReadonlySet<string>;
}

/** What happens to a row. */
export type ImportAction = 'create' | 'update' | 'unchanged' | 'error';

/** Fields to write to a user. `password` is write-only: remove it (see {@link redactPlan}) before showing a plan. */
export interface UserChanges {
  sipUsername?: string;
  authUsername?: string;
  password?: string;
  phoneNumber?: string;
  extension?: string | null;
  numberType?: NumberType;
  callerId?: string;
  externalId?: string;
}

/** One row of the plan. */
export interface PlannedRow {
  row: number;
  email: string | null;
  userId: string | null;
  displayName: string | null;
  action: ImportAction;
  changes: UserChanges;
  /** Names of the changed fields (`password` included, never its value). */
  changedFields: (keyof UserChanges)[];
  issues: ImportIssue[];
}

/** The whole plan. `ok` is true when it can be applied: no error anywhere. */
export interface ImportPlan {
  ok: boolean;
  template: CsvTemplateName | null;
  rows: PlannedRow[];
  /** Every report line: the file's, then each row's, in row order. */
  issues: ImportIssue[];
  counts: Record<ImportAction, number>;
}

/**
 * Plan an import read by `readImportFile` against what the store holds.
 * @example planImport(readImportFile(buffer, options), { serviceKind: 'pbx', findUser: (e) => users.get(e), findNumberHolder: holders })
 */
export function planImport(file: ImportFile, context: ImportContext): ImportPlan {
  const matched = file.rows.map((row) => ({
    row,
    user: row.email === undefined ? undefined : context.findUser(row.email),
  }));
  const finalNumbers = new Map<string, string>();
  const finalSipUsernames = new Map<string, string>();
  for (const { row, user } of matched) {
    if (user === undefined) continue;
    if (row.number !== undefined) finalNumbers.set(user.id, row.number.lineUri);
    if (row.sipUsername !== undefined) finalSipUsernames.set(user.id, row.sipUsername.toLowerCase());
  }
  const released = { numbers: finalNumbers, sipUsernames: finalSipUsernames };
  const fileIssuesByRow = groupByRow(file.issues);
  const rows = matched.map(({ row, user }) =>
    planRow(row, user, context, released, fileIssuesByRow.get(row.row) ?? []),
  );
  const counts: Record<ImportAction, number> = { create: 0, update: 0, unchanged: 0, error: 0 };
  for (const planned of rows) counts[planned.action] += 1;
  const rowNumbers = new Set(file.rows.map((row) => row.row));
  const fileLevel = file.issues.filter((issue) => !rowNumbers.has(issue.row));
  const issues = [...fileLevel, ...rows.flatMap((planned) => planned.issues)];
  const ok = file.template !== null && !issues.some((issue) => issue.severity === 'error');
  return { ok, template: file.template, rows, issues, counts };
}

function groupByRow(issues: readonly ImportIssue[]): Map<number, ImportIssue[]> {
  const byRow = new Map<number, ImportIssue[]>();
  for (const issue of issues) byRow.set(issue.row, [...(byRow.get(issue.row) ?? []), issue]);
  return byRow;
}

interface Released {
  /** userId -> the line URI the file gives that user (so its current number is released). */
  numbers: ReadonlyMap<string, string>;
  sipUsernames: ReadonlyMap<string, string>;
}

function planRow(
  row: ImportRow,
  user: ImportUser | undefined,
  context: ImportContext,
  released: Released,
  fileIssues: ImportIssue[],
): PlannedRow {
  const report = new RowReport(row.row);
  report.issues.push(...fileIssues);
  const base = { row: row.row, email: row.email ?? null, changes: {}, changedFields: [] };
  if (user === undefined) {
    if (row.email !== undefined) {
      report.add(
        'Email',
        'error',
        `No synced Teams user has the email ${row.email}`,
        'The email must be that of a Microsoft 365 user of this tenant: check the spelling, or sync the tenant ' +
          'and import again.',
      );
    }
    return { ...base, userId: null, displayName: null, action: 'error', issues: report.issues };
  }
  checkRow(row, user, context, released, report);
  const changes = changesOf(row, user);
  const changedFields = Object.keys(changes) as (keyof UserChanges)[];
  const configured = user.sipUsername !== null || user.phoneNumber !== null;
  const action: ImportAction = report.hasErrors
    ? 'error'
    : changedFields.length === 0
      ? 'unchanged'
      : configured
        ? 'update'
        : 'create';
  return {
    ...base,
    userId: user.id,
    displayName: user.displayName,
    action,
    changes,
    changedFields,
    issues: report.issues,
  };
}

function checkRow(
  row: ImportRow,
  user: ImportUser,
  context: ImportContext,
  released: Released,
  report: RowReport,
): void {
  const numberColumn = context.serviceKind === 'pbx' ? 'PhoneNumber' : 'TrunkNumber';
  if (row.name !== undefined && row.name.trim().toLowerCase() !== user.displayName.trim().toLowerCase()) {
    report.add(
      'Name',
      'warning',
      `Names come from Microsoft 365, where this user is "${user.displayName}"; "${row.name}" in the file is ignored`,
    );
  }
  if (row.number !== undefined) {
    const number = { e164: row.number.e164, extension: row.number.extension ?? null };
    const holders = releasedLookup(context.findNumberHolder, released.numbers);
    const unique = checkNumberUnique(number, holders, user.id);
    if (!unique.ok) report.add(numberColumn, 'error', unique.message);
    const suits = checkNumberForService(number, { kind: context.serviceKind, ranges: context.ranges });
    if (!suits.ok) report.add(numberColumn, 'error', suits.message);
  }
  checkSipUsername(row, user, context, released, report);
  checkCallerId(row, user, context, report);
  if (context.serviceKind === 'pbx') warnIfCannotRegister(row, user, report);
}

/** Holders, minus those whose number the file moves elsewhere (numbers can be swapped in one file). */
function releasedLookup(lookup: NumberHolderLookup, moved: ReadonlyMap<string, string>): NumberHolderLookup {
  return (lineUri) => {
    const holder = typeof lookup === 'function' ? lookup(lineUri) : lookup.get(lineUri);
    if (holder === undefined) return undefined;
    const next = moved.get(holder.id);
    return next !== undefined && next !== lineUri ? undefined : holder;
  };
}

function checkSipUsername(
  row: ImportRow,
  user: ImportUser,
  context: ImportContext,
  released: Released,
  report: RowReport,
): void {
  if (row.sipUsername === undefined || context.findSipUsernameHolder === undefined) return;
  const key = row.sipUsername.toLowerCase();
  const holder = context.findSipUsernameHolder(key);
  if (holder === undefined || holder.id === user.id) return;
  const next = released.sipUsernames.get(holder.id);
  if (next !== undefined && next !== key) return;
  report.add(
    'SIPUsername',
    'error',
    `The SIP username ${row.sipUsername} is already used by ${describeHolder({ kind: 'user', ...holder })} on this service`,
    'Each user registers with a SIP username of their own: use the one configured for this user on the PBX.',
  );
}

function checkCallerId(row: ImportRow, user: ImportUser, context: ImportContext, report: RowReport): void {
  if (row.callerId === undefined || context.serviceNumbers === undefined) return;
  const ownNumber = row.number?.e164 ?? user.phoneNumber;
  if (row.callerId === ownNumber || context.serviceNumbers.has(row.callerId)) return;
  report.add(
    'Caller ID',
    'error',
    `The caller ID ${row.callerId} is neither the user's number nor a service number of this trunk`,
    "Add it as a service number of the trunk first, or leave Caller ID empty to show the user's own number.",
  );
}

function warnIfCannotRegister(row: ImportRow, user: ImportUser, report: RowReport): void {
  const sipUsername = row.sipUsername ?? user.sipUsername;
  if (sipUsername === null) {
    report.add(
      'SIPUsername',
      'warning',
      'No SIP username: the user will not register to the PBX until one is set',
    );
  } else if (row.password === undefined && !user.hasSipPassword) {
    report.add(
      'Password',
      'warning',
      'No SIP password: the user will not register to the PBX until one is set',
    );
  }
}

function changesOf(row: ImportRow, user: ImportUser): UserChanges {
  const changes: UserChanges = {};
  if (row.sipUsername !== undefined && row.sipUsername !== user.sipUsername)
    changes.sipUsername = row.sipUsername;
  if (row.authUsername !== undefined && row.authUsername !== user.authUsername)
    changes.authUsername = row.authUsername;
  // A password cannot be compared (it is stored encrypted and never read back): a given password is always set.
  if (row.password !== undefined) changes.password = row.password;
  if (row.number !== undefined) {
    const extension = row.number.extension ?? null;
    if (row.number.e164 !== user.phoneNumber) changes.phoneNumber = row.number.e164;
    if (extension !== user.extension) changes.extension = extension;
    const numberMoved = changes.phoneNumber !== undefined || changes.extension !== undefined;
    const typeKnown = user.numberType !== undefined && user.numberType !== null;
    if (typeKnown ? row.number.numberType !== user.numberType : numberMoved)
      changes.numberType = row.number.numberType;
  }
  if (row.callerId !== undefined && row.callerId !== (user.callerId ?? null)) changes.callerId = row.callerId;
  if (row.externalId !== undefined && row.externalId !== user.externalId) changes.externalId = row.externalId;
  return changes;
}

/**
 * The plan without any password, for a dry-run answer, a log or an audit entry.
 * @example reply.send(redactPlan(plan))
 */
export function redactPlan(plan: ImportPlan): ImportPlan {
  return {
    ...plan,
    rows: plan.rows.map((row) => {
      const { password: _password, ...changes } = row.changes;
      return { ...row, changes };
    }),
  };
}
