import { setImmediate } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../domain/errors.js';
import { registrationReadiness } from '../domain/registration-readiness.js';
import { redactPlan, toCsv, type ImportPlan, type PlannedRow } from '../domain/csv/index.js';
import { callerIdAfterNumberChange } from '../domain/numbers/caller-id.js';
import type { Actor, User } from '../domain/records.js';
import type { NewAuditEntry } from '../store/repositories/audit.repository.js';
import type { ImportedUserFields } from '../store/repositories/users.repository.js';
import type { Repositories, Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import { planImportOffLoop } from './csv-reader.js';
import type { PlanningUser } from './import-planning.js';
import type { LicencesService } from './licences.service.js';
import type { SecretBox } from './secrets/secret-box.js';

export interface ImportResult {
  applied: boolean;
  /** The applied import's id (its audit entries' batch): what `import rollback` takes. Null for a dry run. */
  importId: string | null;
  /** The per-row report and planned changes; passwords never included. */
  plan: ImportPlan;
}

/**
 * Bulk import and export of a service's users by CSV (the field's PBX and trunk templates). The file is read as
 * Excel writes it and every row checked against the store first (dry run); applying is all or nothing, in one
 * transaction, and the changed users are handed to the SIP role at once.
 */
export class UserImportService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly access: AccessService,
    private readonly licences: LicencesService,
    private readonly registrationsChanged: () => void,
  ) {}

  async import(
    actor: Actor,
    accountId: string,
    serviceId: string,
    file: Uint8Array | string,
    options: { dryRun: boolean },
  ): Promise<ImportResult> {
    await this.access.require(actor, accountId, 'service.write');
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    const everyone = await readAccountUsers(this.store.repos, accountId);
    const plan = await planImportOffLoop(
      {
        file,
        serviceId,
        serviceKind: service.kind,
        defaultCountry: service.country,
        ...(service.kind === 'trunk' && { trunk: await this.trunkContext(accountId, serviceId) }),
      },
      everyone.map(planningUserOf),
    );
    if (options.dryRun || !plan.ok) return { applied: false, importId: null, plan: redactPlan(plan) };
    const importId = randomUUID();
    await this.store.transaction((tx) =>
      this.licences.within(tx, accountId, async () => {
        const changing = plan.rows.filter(
          (r) => (r.action === 'create' || r.action === 'update') && r.userId !== null,
        );
        // The service's users as they are, read once: for the audit and for a caller ID that follows its number.
        const current = new Map<string, User>();
        for (const user of await readAccountUsers(tx, accountId))
          if (user.serviceId === serviceId) current.set(user.id, user);
        // Numbers and SIP usernames may move between users within one file: free them first, then set them.
        const moving = (field: 'number' | 'sipUsername') =>
          changing.filter((row) => movesField(row, field)).map((row) => row.userId!);
        await inSlices(moving('number'), (ids) =>
          tx.users.patchMany(accountId, ids, { phoneNumber: null, extension: null }),
        );
        await inSlices(moving('sipUsername'), (ids) =>
          tx.users.patchMany(accountId, ids, { sipUsername: null }),
        );
        // In slices, giving the event loop back between them: building rows, encrypting and serialising their audit
        // entries runs on the thread the SIP agent's timers share.
        for (let start = 0; start < changing.length; start += WRITE_SLICE) {
          const applied = changing
            .slice(start, start + WRITE_SLICE)
            .map((row) => this.applyRow(actor, accountId, row, current.get(row.userId!), importId));
          await tx.users.writeImported(
            accountId,
            applied.map((change) => change.fields),
          );
          await tx.audit.appendMany(applied.map((change) => change.audit));
          await setImmediate();
        }
      }),
    );
    this.registrationsChanged();
    return { applied: true, importId, plan: redactPlan(plan) };
  }

  /** What a trunk import is checked against: the service's ranges and its service numbers (caller IDs). */
  private async trunkContext(accountId: string, serviceId: string) {
    const [ranges, serviceNumbers] = await Promise.all([
      this.store.repos.numberRanges.list(accountId, serviceId),
      this.store.repos.serviceNumbers.listByService(accountId, serviceId),
    ]);
    return { ranges, serviceNumbers: serviceNumbers.map((serviceNumber) => serviceNumber.number) };
  }

  /** One row's changes to a user (as read before the import freed numbers): the fields to write, the audit entry. */
  private applyRow(
    actor: Actor,
    accountId: string,
    row: PlannedRow,
    before: User | undefined,
    batchId: string,
  ): { fields: ImportedUserFields; audit: NewAuditEntry } {
    if (!before)
      throw new AppError('conflict', `Row ${row.row}: the user was removed while importing; import again.`);
    const c = row.changes;
    const changedNumber = movesField(row, 'number');
    const sipUsername = c.sipUsername ?? before.sipUsername;
    const hasSipPassword = before.hasSipPassword || c.password !== undefined;
    const { ready } = registrationReadiness({
      registrationEnabled: before.registrationEnabled,
      sipUsername,
      hasSipPassword,
    });
    const after: User = {
      ...before,
      sipUsername,
      authUsername: c.authUsername ?? before.authUsername,
      phoneNumber: c.phoneNumber ?? before.phoneNumber,
      extension: c.extension !== undefined ? c.extension : before.extension,
      numberType: changedNumber ? (c.numberType ?? before.numberType) : before.numberType,
      callerId:
        c.callerId ??
        (c.phoneNumber !== undefined
          ? callerIdAfterNumberChange(before.callerId, before.phoneNumber, c.phoneNumber)
          : before.callerId),
      externalId: c.externalId ?? before.externalId,
      hasSipPassword,
      registrationState: ready ? 'pending' : 'disabled',
      registrationDetail: ready ? {} : before.registrationDetail,
      version: before.version + 1,
    };
    const sipPasswordEnc = c.password !== undefined ? this.secrets.encrypt(c.password) : null;
    return {
      fields: { ...after, sipPasswordEnc },
      audit: {
        accountId,
        actor,
        action: 'user.import',
        objectType: 'user',
        objectId: before.id,
        before,
        after: { ...after, ...(c.password !== undefined && { sipPassword: '[changed]' }) },
        batchId,
      },
    };
  }

  /** The service's users as a CSV file of its template; the Password column is always empty. */
  async export(
    actor: Actor,
    accountId: string,
    serviceId: string,
    options: { delimiter?: ',' | ';' } = {},
  ): Promise<string> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    const users = await this.store.repos.users.listForSync(accountId, serviceId);
    return toCsv(
      service.kind,
      users.sort((a, b) => a.displayName.localeCompare(b.displayName)),
      options,
    );
  }
}

/** The fields of a user the plan needs, as plain data for the planning thread. */
function planningUserOf(user: User): PlanningUser {
  return {
    id: user.id,
    serviceId: user.serviceId,
    email: user.email,
    upn: user.upn,
    usageLocation: user.usageLocation,
    displayName: user.displayName,
    kind: user.kind,
    phoneNumber: user.phoneNumber,
    extension: user.extension,
    numberType: user.numberType,
    sipUsername: user.sipUsername,
    authUsername: user.authUsername,
    hasSipPassword: user.hasSipPassword,
    externalId: user.externalId,
    callerId: user.callerId,
  };
}

/**
 * Users read per query, and rows written per slice, between which the event loop is given back. SQLite's statements
 * run on their own thread (store/sqlite-thread.driver.ts), but turning rows into records and building, encrypting and
 * serialising a slice's writes run here; small slices also let other queries in between on PostgreSQL.
 */
const READ_PAGE = 500;
const WRITE_SLICE = 100;

/** Run a write over ids in slices, giving the event loop back between them. */
async function inSlices(
  ids: readonly string[],
  write: (slice: readonly string[]) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < ids.length; start += WRITE_SLICE) {
    await write(ids.slice(start, start + WRITE_SLICE));
    await setImmediate();
  }
}

/**
 * Every user of an account, read page by page with the event loop given back between pages: one query over a
 * 50,000-user account (and turning its rows into records) held the loop for over a second.
 */
async function readAccountUsers(repos: Pick<Repositories, 'users'>, accountId: string): Promise<User[]> {
  const users: User[] = [];
  for (;;) {
    const page = await repos.users.listPageInAccount(accountId, users.at(-1)?.id ?? null, READ_PAGE);
    users.push(...page);
    if (page.length < READ_PAGE) return users;
    await setImmediate();
  }
}

/** Does the row change the user's number (or its extension alone), or their SIP username? */
function movesField(row: PlannedRow, field: 'number' | 'sipUsername'): boolean {
  return field === 'number'
    ? row.changes.phoneNumber !== undefined || row.changes.extension !== undefined
    : row.changes.sipUsername !== undefined;
}
