import { AppError, notFound } from '../domain/errors.js';
import { registrationReadiness } from '../domain/registration-readiness.js';
import {
  planImport,
  readImportFile,
  redactPlan,
  toCsv,
  type ImportPlan,
  type PlannedRow,
} from '../domain/csv/index.js';
import { callerIdAfterNumberChange } from '../domain/numbers/caller-id.js';
import { indexHolders, type NumberHolder } from '../domain/numbers/number-assignment.js';
import type { Actor, User } from '../domain/records.js';
import type { UserPatch } from '../store/repositories/users.repository.js';
import type { Repositories, Store } from '../store/store.js';
import type { SecretBox } from './secrets/secret-box.js';

export interface ImportResult {
  applied: boolean;
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
    private readonly registrationsChanged: () => void,
  ) {}

  async import(
    actor: Actor,
    accountId: string,
    serviceId: string,
    file: Uint8Array | string,
    options: { dryRun: boolean },
  ): Promise<ImportResult> {
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    const everyone = await this.store.repos.users.listAllInAccount(accountId);
    const ofService = new Map(
      everyone
        .filter((u) => u.serviceId === serviceId)
        .flatMap((u) => [
          [u.email.toLowerCase(), u] as const,
          ...(u.upn ? [[u.upn.toLowerCase(), u] as const] : []),
        ]),
    );
    const holders = indexHolders(
      everyone.flatMap((u): NumberHolder[] =>
        u.phoneNumber
          ? [
              {
                id: u.id,
                kind: u.kind === 'resource_account' ? 'resource_account' : 'user',
                displayName: u.displayName,
                email: u.email,
                e164: u.phoneNumber,
                ...(u.extension && { extension: u.extension }),
              },
            ]
          : [],
      ),
    );
    const sipHolders = new Map<string, User>();
    for (const u of everyone)
      if (u.serviceId === serviceId && u.sipUsername) sipHolders.set(u.sipUsername.toLowerCase(), u);
    const read = readImportFile(file, {
      serviceKind: service.kind,
      defaultCountry: service.country,
      countryOf: (email) => ofService.get(email)?.usageLocation ?? null,
    });
    const plan = planImport(read, {
      serviceKind: service.kind,
      findUser: (email) => ofService.get(email.toLowerCase()),
      findNumberHolder: holders,
      findSipUsernameHolder: (name) => sipHolders.get(name.toLowerCase()),
      ...(service.kind === 'trunk' && (await this.trunkContext(accountId, serviceId))),
    });
    if (options.dryRun || !plan.ok) return { applied: false, plan: redactPlan(plan) };
    await this.store.transaction(async (tx) => {
      const changing = plan.rows.filter(
        (r) => (r.action === 'create' || r.action === 'update') && r.userId !== null,
      );
      // Numbers and SIP usernames may move between users within one file: free them first, then set them.
      // The users as they were, before that, for the audit and for a caller ID that follows its user's number.
      const originals = new Map<string, User>();
      for (const row of changing) {
        const original = await tx.users.findById(accountId, row.userId!);
        if (original) originals.set(original.id, original);
      }
      for (const row of changing) {
        const release: UserPatch = {
          ...(row.changes.phoneNumber !== undefined && { phoneNumber: null, extension: null }),
          ...(row.changes.sipUsername !== undefined && { sipUsername: null }),
        };
        if (Object.keys(release).length > 0) await tx.users.update(accountId, row.userId!, release);
      }
      for (const row of changing) await this.applyRow(tx, actor, accountId, row, originals.get(row.userId!));
    });
    this.registrationsChanged();
    return { applied: true, plan: redactPlan(plan) };
  }

  /** What a trunk import is checked against: the service's ranges and its service numbers (caller IDs). */
  private async trunkContext(accountId: string, serviceId: string) {
    const [ranges, serviceNumbers] = await Promise.all([
      this.store.repos.numberRanges.list(accountId, serviceId),
      this.store.repos.serviceNumbers.listByService(accountId, serviceId),
    ]);
    return { ranges, serviceNumbers: new Set(serviceNumbers.map((serviceNumber) => serviceNumber.number)) };
  }

  private async applyRow(
    tx: Repositories,
    actor: Actor,
    accountId: string,
    row: PlannedRow,
    before: User | undefined,
  ): Promise<void> {
    const userId = row.userId!;
    if (!before)
      throw new AppError('conflict', `Row ${row.row}: the user was removed while importing; import again.`);
    const c = row.changes;
    const patch: UserPatch = {
      ...(c.sipUsername !== undefined && { sipUsername: c.sipUsername }),
      ...(c.authUsername !== undefined && { authUsername: c.authUsername }),
      ...(c.password !== undefined && { sipPasswordEnc: this.secrets.encrypt(c.password) }),
      ...(c.phoneNumber !== undefined && {
        phoneNumber: c.phoneNumber,
        extension: c.extension ?? null,
        numberType: c.numberType ?? null,
      }),
      ...(c.externalId !== undefined && { externalId: c.externalId }),
    };
    if (c.callerId !== undefined) patch.callerId = c.callerId;
    else if (c.phoneNumber !== undefined)
      patch.callerId = callerIdAfterNumberChange(before.callerId, before.phoneNumber, c.phoneNumber);
    const { ready } = registrationReadiness({
      registrationEnabled: before.registrationEnabled,
      sipUsername: patch.sipUsername !== undefined ? patch.sipUsername : before.sipUsername,
      hasSipPassword: before.hasSipPassword || c.password !== undefined,
    });
    patch.registrationState = ready ? 'pending' : 'disabled';
    if (ready) patch.registrationDetail = {};
    const after = await tx.users.update(accountId, userId, patch);
    await tx.audit.append({
      accountId,
      actor,
      action: 'user.import',
      objectType: 'user',
      objectId: userId,
      before,
      after: { ...after, ...(c.password !== undefined && { sipPassword: '[changed]' }) },
    });
  }

  /** The service's users as a CSV file of its template; the Password column is always empty. */
  async export(
    accountId: string,
    serviceId: string,
    options: { delimiter?: ',' | ';' } = {},
  ): Promise<string> {
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
