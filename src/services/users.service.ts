import { AppError, notFound } from '../domain/errors.js';
import { registrationReadiness } from '../domain/registration-readiness.js';
import { formatLineUri, parsePhoneNumberInput } from '../domain/numbers/e164.js';
import {
  assertAllowed,
  callerIdAfterNumberChange,
  checkCallerId,
  checkNumberForService,
} from '../domain/numbers/index.js';
import type { Actor, RegistrationState, User, VoiceService } from '../domain/records.js';
import type { UserPage, UserPatch } from '../store/repositories/users.repository.js';
import type { Repositories, Store } from '../store/store.js';
import type { CreateUserInput, ListUsersQuery, UpdateUserInput, UserView } from './schemas/user.schema.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { AccessService } from './access.service.js';
import type { LicencesService } from './licences.service.js';
import { readPlainNumber } from './numbers/trunk-numbers.js';

interface NumberFields {
  phoneNumber: string | null;
  extension: string | null;
  numberType: User['numberType'];
}

/** A user as saved, with the doubts worth showing the administrator (e.g. a number not in use in its plan), if any. */
export type SavedUser = User & { warnings?: string[] };

/** Users of a service: number, SIP credentials (password encrypted, write-only), registration switch. */
export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly access: AccessService,
    private readonly licences: LicencesService,
    private readonly registrationsChanged: () => void = () => undefined,
  ) {}

  async create(actor: Actor, accountId: string, input: CreateUserInput): Promise<SavedUser> {
    await this.access.require(actor, accountId, 'service.write');
    let warnings: string[] = [];
    const saved = await this.store.transaction((tx) =>
      this.licences.within(tx, accountId, async () => {
        const service = await tx.services.findById(accountId, input.serviceId);
        if (!service) throw notFound('service', input.serviceId);
        const { warnings: numberWarnings, ...number } = await this.readNumber(
          tx,
          accountId,
          service,
          input.phoneNumber,
          null,
          null,
        );
        warnings = numberWarnings;
        const callerId = await this.readCallerId(tx, service, input.callerId, number.phoneNumber, null);
        const user = await tx.users.create({
          accountId,
          serviceId: service.id,
          objectId: null,
          upn: null,
          email: input.email.toLowerCase(),
          displayName: input.displayName,
          kind: 'standard',
          tenantState: 'not_synced',
          usageLocation: null,
          coexistenceMode: null,
          licences: [],
          ...number,
          callerId,
          sipUsername: input.sipUsername ?? null,
          authUsername: input.authUsername ?? null,
          sipPasswordEnc: input.sipPassword ? this.secrets.encrypt(input.sipPassword) : null,
          registrationEnabled: input.registrationEnabled ?? true,
          registrationState: 'disabled',
          registrationDetail: {},
          externalId: input.externalId ?? null,
        });
        const withState = await this.settleRegistrationState(tx, user);
        await tx.audit.append({
          accountId,
          actor,
          action: 'user.create',
          objectType: 'user',
          objectId: user.id,
          before: null,
          after: auditView(withState, input.sipPassword != null),
        });
        return withState;
      }),
    );
    this.registrationsChanged();
    return warnings.length > 0 ? { ...saved, warnings } : saved;
  }

  async get(actor: Actor, accountId: string, id: string): Promise<User> {
    await this.access.require(actor, accountId, 'service.read');
    const user = await this.store.repos.users.findById(accountId, id);
    if (!user) throw notFound('user', id);
    return user;
  }

  async list(actor: Actor, accountId: string, query: ListUsersQuery): Promise<UserPage> {
    await this.access.require(actor, accountId, 'service.read');
    return this.store.repos.users.list(accountId, query);
  }

  async update(actor: Actor, accountId: string, id: string, input: UpdateUserInput): Promise<SavedUser> {
    await this.access.require(actor, accountId, 'service.write');
    let warnings: string[] = [];
    const saved = await this.store.transaction((tx) =>
      this.licences.within(tx, accountId, async () => {
        const before = await tx.users.findById(accountId, id);
        if (!before) throw notFound('user', id);
        const service = await tx.services.findById(accountId, before.serviceId);
        if (!service) throw notFound('service', before.serviceId);
        const patch: UserPatch = {
          ...(input.displayName !== undefined && { displayName: input.displayName }),
          ...(input.sipUsername !== undefined && { sipUsername: input.sipUsername }),
          ...(input.authUsername !== undefined && { authUsername: input.authUsername }),
          ...(input.registrationEnabled !== undefined && { registrationEnabled: input.registrationEnabled }),
          ...(input.externalId !== undefined && { externalId: input.externalId }),
          ...(input.sipPassword !== undefined && {
            sipPasswordEnc: input.sipPassword === null ? null : this.secrets.encrypt(input.sipPassword),
          }),
        };
        if (input.phoneNumber !== undefined) {
          const { warnings: numberWarnings, ...number } = await this.readNumber(
            tx,
            accountId,
            service,
            input.phoneNumber,
            before.usageLocation,
            before.id,
          );
          Object.assign(patch, number);
          warnings = numberWarnings;
        }
        const ownNumber = patch.phoneNumber !== undefined ? patch.phoneNumber : before.phoneNumber;
        if (input.callerId !== undefined)
          patch.callerId = await this.readCallerId(
            tx,
            service,
            input.callerId,
            ownNumber,
            before.usageLocation,
          );
        else if (patch.phoneNumber !== undefined)
          patch.callerId = callerIdAfterNumberChange(before.callerId, before.phoneNumber, ownNumber);
        const updated = await tx.users.update(accountId, id, patch, input.version);
        if (!updated) throw notFound('user', id);
        const after = await this.settleRegistrationState(
          tx,
          updated,
          registrationChanged(before, updated, input.sipPassword !== undefined),
        );
        await tx.audit.append({
          accountId,
          actor,
          action: 'user.update',
          objectType: 'user',
          objectId: id,
          before: auditView(before, false),
          after: auditView(after, input.sipPassword !== undefined),
        });
        return after;
      }),
    );
    this.registrationsChanged();
    return warnings.length > 0 ? { ...saved, warnings } : saved;
  }

  /**
   * Deletes a user: the SIP role unregisters them (Expires: 0) and forgets them; their number and licence are
   * free at once. Audited with the user as it was.
   */
  async delete(actor: Actor, accountId: string, id: string): Promise<void> {
    await this.access.require(actor, accountId, 'service.write');
    await this.store.transaction(async (tx) => {
      const before = await tx.users.findById(accountId, id);
      if (!before || !(await tx.users.delete(accountId, id))) throw notFound('user', id);
      await tx.audit.append({
        accountId,
        actor,
        action: 'user.delete',
        objectType: 'user',
        objectId: id,
        before: auditView(before, false),
        after: null,
      });
    });
    this.registrationsChanged();
  }

  /**
   * "Retry now" after a failed registration (e.g. the password was fixed at the PBX, which a final failure
   * otherwise waits for): the user shows pending and the SIP role tries at once, wherever it runs.
   */
  async retryRegistration(actor: Actor, accountId: string, id: string): Promise<User> {
    await this.access.require(actor, accountId, 'service.write');
    const saved = await this.store.transaction(async (tx) => {
      const before = await tx.users.findById(accountId, id);
      if (!before) throw notFound('user', id);
      if (before.registrationState !== 'failed') {
        throw new AppError(
          'precondition_failed',
          `Only a failed registration can be retried; this user's registration is ${before.registrationState}.`,
          { field: 'registrationState', registrationState: before.registrationState },
        );
      }
      const after = await tx.users.requestRegistrationRetry(accountId, id, new Date().toISOString());
      if (!after) throw notFound('user', id);
      await tx.audit.append({
        accountId,
        actor,
        action: 'user.registration_retry',
        objectType: 'user',
        objectId: id,
        before: {
          registrationState: before.registrationState,
          registrationDetail: before.registrationDetail,
        },
        after: { registrationState: after.registrationState },
      });
      return after;
    });
    this.registrationsChanged();
    return saved;
  }

  /** Reads a number as a customer administrator typed it; refuses it with the fix, or a clash naming the holder. */
  private async readNumber(
    tx: Repositories,
    accountId: string,
    service: VoiceService,
    raw: string | null | undefined,
    usageLocation: string | null,
    selfId: string | null,
  ): Promise<NumberFields & { warnings: string[] }> {
    if (raw === undefined || raw === null || raw.trim() === '')
      return { phoneNumber: null, extension: null, numberType: null, warnings: [] };
    const parsed = parsePhoneNumberInput(raw, {
      defaultCountry: usageLocation ?? service.country,
      serviceKind: service.kind,
      repairExcelDamage: false,
    });
    if (!parsed.ok) {
      throw new AppError('invalid_phone_number', parsed.message, {
        field: 'phoneNumber',
        problem: parsed.problem,
        ...(parsed.suggestion && { suggestion: parsed.suggestion }),
      });
    }
    const holder = await tx.users.findByNumber(accountId, parsed.e164, parsed.extension ?? null);
    if (holder && holder.id !== selfId) {
      const line = formatLineUri(parsed.e164, parsed.extension);
      throw new AppError(
        'conflict',
        `The number ${line} is already held by ${holder.displayName} (${holder.email}); remove it there first. One number belongs to one user or resource account.`,
        { field: 'phoneNumber', holderId: holder.id },
      );
    }
    if (service.kind === 'trunk') {
      // Ranges cannot be deleted while this number is being given out: serialize with range changes.
      await tx.numberRanges.lockAccount(accountId);
      const suits = checkNumberForService(
        { e164: parsed.e164, extension: parsed.extension ?? null },
        { kind: 'trunk', ranges: await tx.numberRanges.list(accountId, service.id) },
      );
      if (!suits.ok)
        throw new AppError(suits.code, suits.message, { ...suits.details, field: 'phoneNumber' });
    }
    return {
      phoneNumber: parsed.e164,
      extension: parsed.extension ?? null,
      numberType: parsed.numberType,
      warnings: parsed.warnings,
    };
  }

  /** Reads a trunk user's caller ID: their own number or a service number of the trunk; empty shows their own. */
  private async readCallerId(
    tx: Repositories,
    service: VoiceService,
    raw: string | null | undefined,
    ownNumber: string | null,
    usageLocation: string | null,
  ): Promise<string | null> {
    if (raw === undefined || raw === null || raw.trim() === '') return null;
    const callerId = readPlainNumber(raw, 'callerId', usageLocation ?? service.country);
    const serviceNumbers =
      service.kind === 'trunk' ? await tx.serviceNumbers.listByService(service.accountId, service.id) : [];
    assertAllowed(
      checkCallerId(callerId, {
        serviceKind: service.kind,
        ownNumber,
        serviceNumbers: new Set(serviceNumbers.map((serviceNumber) => serviceNumber.number)),
      }),
    );
    return callerId;
  }

  /**
   * Registration state a configuration change leads to: disabled (with why) when registration is off or SIP
   * credentials are incomplete; pending (the SIP role registers anew) when the credentials or the switch changed
   * or it was disabled; otherwise the live state reported by the SIP role is kept.
   */
  private async settleRegistrationState(tx: Repositories, user: User, changed = false): Promise<User> {
    const readiness = registrationReadiness(user);
    const next: RegistrationState = !readiness.ready
      ? 'disabled'
      : changed || user.registrationState === 'disabled'
        ? 'pending'
        : user.registrationState;
    const detail = readiness.ready ? {} : { reason: readiness.reason };
    if (next === user.registrationState && (next !== 'disabled' || user.registrationDetail.reason))
      return user;
    await tx.users.recordRegistrationState(user.id, next, detail);
    return { ...user, registrationState: next, registrationDetail: detail };
  }
}

/** True when a change touches what the SIP role registers with (credentials, the registration switch). */
function registrationChanged(before: User, after: User, passwordSent: boolean): boolean {
  return (
    passwordSent ||
    before.sipUsername !== after.sipUsername ||
    before.authUsername !== after.authUsername ||
    before.registrationEnabled !== after.registrationEnabled
  );
}

/** The API's view of a user: the derived Teams line URI, never the password. */
export function presentUser(user: User): UserView {
  return { ...user, lineUri: user.phoneNumber ? formatLineUri(user.phoneNumber, user.extension) : null };
}

function auditView(user: User, passwordChanged: boolean): Record<string, unknown> {
  return { ...presentUser(user), ...(passwordChanged && { sipPassword: '[changed]' }) };
}
