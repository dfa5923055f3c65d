import type { Kysely, Selectable } from 'kysely';
import type { TenantConnection } from '../../domain/records.js';
import type { Database, TenantConnectionsTable } from '../schema.js';
import { newId, nowIso, uniqueOr } from './row-helpers.js';

export type TenantConnectionWrite = Omit<
  TenantConnection,
  'id' | 'hasClientSecret' | 'createdAt' | 'updatedAt'
> & {
  clientSecretEnc: string | null;
};

/** The Microsoft 365 tenant connection of an account (one per account). */
export class TenantConnectionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: TenantConnectionWrite): Promise<TenantConnection> {
    const now = nowIso();
    const row: TenantConnectionsTable = {
      id: newId(),
      ...toColumns(input),
      account_id: input.accountId,
      created_at: now,
      updated_at: now,
    };
    await uniqueOr(
      () => this.db.insertInto('tenant_connections').values(row).execute(),
      input.tenantId !== null && (await this.findByTenant(input.tenantId))
        ? TENANT_TAKEN
        : 'This account already has a tenant connection; update it instead.',
    );
    return toConnection(row);
  }

  async findByAccount(accountId: string): Promise<TenantConnection | undefined> {
    const row = await this.db
      .selectFrom('tenant_connections')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row && toConnection(row);
  }

  /** The connection holding a tenant id (of any account): one tenant belongs to one account. */
  async findByTenant(tenantId: string): Promise<TenantConnection | undefined> {
    const row = await this.db
      .selectFrom('tenant_connections')
      .selectAll()
      .where('tenant_id', '=', tenantId.toLowerCase())
      .executeTakeFirst();
    return row && toConnection(row);
  }

  /** The encrypted app secret, for the Microsoft client only. */
  async findSecretCiphertext(accountId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('tenant_connections')
      .select('client_secret_enc')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row?.client_secret_enc ?? null;
  }

  async update(
    accountId: string,
    patch: Partial<Omit<TenantConnectionWrite, 'accountId'>>,
  ): Promise<TenantConnection | undefined> {
    const current = await this.findByAccount(accountId);
    if (!current) return undefined;
    const secret =
      patch.clientSecretEnc !== undefined
        ? patch.clientSecretEnc
        : await this.findSecretCiphertext(accountId);
    const next = { ...current, ...patch, clientSecretEnc: secret };
    await uniqueOr(
      () =>
        this.db
          .updateTable('tenant_connections')
          .set({ ...toColumns(next), updated_at: nowIso() })
          .where('account_id', '=', accountId)
          .execute(),
      TENANT_TAKEN,
    );
    return this.findByAccount(accountId);
  }

  /** Every stored app secret ciphertext (key rotation). */
  async listSecretCiphertexts(): Promise<{ id: string; ciphertext: string }[]> {
    const rows = await this.db
      .selectFrom('tenant_connections')
      .select(['id', 'client_secret_enc'])
      .where('client_secret_enc', 'is not', null)
      .execute();
    return rows.map((r) => ({ id: r.id, ciphertext: r.client_secret_enc ?? '' }));
  }

  async replaceSecretCiphertext(id: string, ciphertext: string): Promise<void> {
    await this.db
      .updateTable('tenant_connections')
      .set({ client_secret_enc: ciphertext })
      .where('id', '=', id)
      .execute();
  }
}

/** The refusal of a tenant another account holds: it does not say which account (that is another customer). */
export const TENANT_TAKEN =
  'This Microsoft 365 tenant is already connected to another Callbridge account. If it should be connected here, ask your provider: a platform operator can move it.';

function toColumns(c: Omit<TenantConnectionWrite, 'accountId'>) {
  return {
    tenant_id: c.tenantId === null ? null : c.tenantId.toLowerCase(),
    cloud: c.cloud,
    authority_host: c.authorityHost,
    graph_base_url: c.graphBaseUrl,
    teams_admin_base_url: c.teamsAdminBaseUrl,
    consent_state: c.consentState,
    consent_error: c.consentError,
    consented_at: c.consentedAt,
    client_id: c.clientId,
    client_secret_enc: c.clientSecretEnc,
    delta_link: c.deltaLink,
  };
}

function toConnection(row: Selectable<TenantConnectionsTable>): TenantConnection {
  return {
    id: row.id,
    accountId: row.account_id,
    tenantId: row.tenant_id,
    cloud: row.cloud,
    authorityHost: row.authority_host,
    graphBaseUrl: row.graph_base_url,
    teamsAdminBaseUrl: row.teams_admin_base_url,
    consentState: row.consent_state,
    consentError: row.consent_error,
    consentedAt: row.consented_at,
    clientId: row.client_id,
    hasClientSecret: row.client_secret_enc !== null,
    deltaLink: row.delta_link,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
