import type { Kysely, Selectable } from 'kysely';
import { defaultServiceCallSettings } from '../../domain/call-settings.js';
import { defaultTeamsSettings, type VoiceService } from '../../domain/records.js';
import type { Database, ServicesTable } from '../schema.js';
import { newId, nowIso, parseJson, uniqueOr } from './row-helpers.js';

/** A new service; call settings left out are the defaults. */
export type NewVoiceService = Omit<VoiceService, 'id' | 'createdAt' | 'updatedAt' | 'calls'> &
  Partial<Pick<VoiceService, 'calls'>>;
export type VoiceServicePatch = Partial<
  Omit<VoiceService, 'id' | 'accountId' | 'kind' | 'createdAt' | 'updatedAt'>
>;

/** PBX and trunk services. Every read is scoped to the account that owns the service. */
export class ServicesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewVoiceService): Promise<VoiceService> {
    const now = nowIso();
    const row: ServicesTable = {
      id: newId(),
      ...toColumns({ ...input, calls: input.calls ?? defaultServiceCallSettings }),
      account_id: input.accountId,
      kind: input.kind,
      created_at: now,
      updated_at: now,
    };
    await uniqueOr(() => this.db.insertInto('services').values(row).execute(), duplicateName(input.name), {
      field: 'name',
    });
    return toService(row);
  }

  async findById(accountId: string, id: string): Promise<VoiceService | undefined> {
    const row = await this.db
      .selectFrom('services')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toService(row);
  }

  async listByAccount(accountId: string): Promise<VoiceService[]> {
    const rows = await this.db
      .selectFrom('services')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toService);
  }

  /** A service by id alone, for the operator's command line (never for a request: not scoped to an account). */
  async findByIdForSystem(id: string): Promise<VoiceService | undefined> {
    const row = await this.db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toService(row);
  }

  /** Every service, across accounts: for the worker and SIP roles, never for a request. */
  async listAllForSystem(): Promise<VoiceService[]> {
    const rows = await this.db.selectFrom('services').selectAll().orderBy('id').execute();
    return rows.map(toService);
  }

  async update(accountId: string, id: string, patch: VoiceServicePatch): Promise<VoiceService | undefined> {
    const current = await this.findById(accountId, id);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    await uniqueOr(
      () =>
        this.db
          .updateTable('services')
          .set({ ...toColumns(next), updated_at: nowIso() })
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .execute(),
      duplicateName(next.name),
      { field: 'name' },
    );
    return this.findById(accountId, id);
  }
}

function duplicateName(name: string): string {
  return `A service named "${name}" already exists in this account; choose another name.`;
}

function toColumns(s: Omit<VoiceService, 'id' | 'accountId' | 'kind' | 'createdAt' | 'updatedAt'>) {
  return {
    name: s.name,
    pbx_type: s.pbxType,
    location: s.location,
    country: s.country,
    sip_domain: s.sipDomain,
    proxy_host: s.proxyHost,
    proxy_port: s.proxyPort,
    transport: s.transport,
    registration_expiry: s.registrationExpiry,
    teams_settings: JSON.stringify(s.teams),
    sync_interval_minutes: s.syncIntervalMinutes,
    call_settings: JSON.stringify(s.calls),
  };
}

function toService(row: Selectable<ServicesTable>): VoiceService {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    name: row.name,
    pbxType: row.pbx_type,
    location: row.location,
    country: row.country,
    sipDomain: row.sip_domain,
    proxyHost: row.proxy_host,
    proxyPort: row.proxy_port,
    transport: row.transport,
    registrationExpiry: row.registration_expiry,
    teams: { ...defaultTeamsSettings, ...parseJson(row.teams_settings, {}) },
    syncIntervalMinutes: row.sync_interval_minutes,
    calls: { ...defaultServiceCallSettings, ...parseJson(row.call_settings, {}) },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
