import { checkCallSettings, defaultServiceCallSettings } from '../domain/call-settings.js';
import { notFound } from '../domain/errors.js';
import {
  defaultTeamsSettings,
  type Actor,
  type PbxReachability,
  type VoiceService,
} from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import { withoutUndefined } from './without-undefined.js';
import {
  createServiceInput,
  type CreateServiceInput,
  type UpdateServiceInput,
} from './schemas/voice-service.schema.js';

/** A service as the API answers it: with whether its PBX answers the SIP role (null: not probed yet, trunks). */
export type VoiceServiceAnswer = VoiceService & { pbxReachability: PbxReachability | null };

/** PBX and trunk services of an account, with the SIP settings its users register with. */
export class VoiceServicesService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    /** SIP settings changed: the SIP role re-reads them at once (every user of the service re-registers, paced). */
    private readonly registrationsChanged: () => void = () => undefined,
  ) {}

  async create(actor: Actor, accountId: string, raw: CreateServiceInput): Promise<VoiceServiceAnswer> {
    const input = createServiceInput.parse(raw);
    const calls = { ...defaultServiceCallSettings, ...withoutUndefined(input.calls ?? {}) };
    checkCallSettings(calls);
    await this.access.require(actor, accountId, 'service.write');
    const created = await this.store.transaction(async (tx) => {
      const service = await tx.services.create({
        accountId,
        kind: input.kind,
        name: input.name,
        pbxType: input.pbxType,
        location: input.location,
        country: input.country ?? null,
        sipDomain: input.sipDomain,
        proxyHost: input.proxyHost ?? null,
        proxyPort: input.proxyPort ?? null,
        transport: input.transport,
        registrationExpiry: input.registrationExpiry,
        teams: defaultTeamsSettings,
        syncIntervalMinutes: input.syncIntervalMinutes ?? null,
        calls,
      });
      await tx.audit.append({
        accountId,
        actor,
        action: 'service.create',
        objectType: 'service',
        objectId: service.id,
        before: null,
        after: service,
      });
      return service;
    });
    return { ...created, pbxReachability: null };
  }

  async get(actor: Actor, accountId: string, id: string): Promise<VoiceServiceAnswer> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.store.repos.services.findById(accountId, id);
    if (!service) throw notFound('service', id);
    return (await this.withReachability([service]))[0]!;
  }

  async list(actor: Actor, accountId: string): Promise<VoiceServiceAnswer[]> {
    await this.access.require(actor, accountId, 'service.list');
    return this.withReachability(await this.store.repos.services.listByAccount(accountId));
  }

  async update(
    actor: Actor,
    accountId: string,
    id: string,
    patch: UpdateServiceInput,
  ): Promise<VoiceServiceAnswer> {
    await this.access.require(actor, accountId, 'service.write');
    const saved = await this.store.transaction(async (tx) => {
      const before = await tx.services.findById(accountId, id);
      if (!before) throw notFound('service', id);
      const { calls, ...fields } = patch;
      const changes = withoutUndefined(fields);
      if (calls) {
        const merged = { ...before.calls, ...withoutUndefined(calls) };
        checkCallSettings(merged);
        Object.assign(changes, { calls: merged });
      }
      const after = await tx.services.update(accountId, id, changes);
      if (!after) throw notFound('service', id);
      await tx.audit.append({
        accountId,
        actor,
        action: 'service.update',
        objectType: 'service',
        objectId: id,
        before,
        after,
      });
      return after;
    });
    this.registrationsChanged();
    return (await this.withReachability([saved]))[0]!;
  }

  /** Services with their PBX's reachability as the sip role last wrote it (ids already scoped to the account). */
  private async withReachability(services: VoiceService[]): Promise<VoiceServiceAnswer[]> {
    const verdicts = await this.store.repos.pbxReachability.forServices(services.map((s) => s.id));
    return services.map((s) => ({ ...s, pbxReachability: verdicts.get(s.id) ?? null }));
  }
}
