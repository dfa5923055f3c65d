import type { Kysely, Selectable } from 'kysely';
import type { Actor } from '../../domain/records.js';
import type { ConsentRequestsTable, Database } from '../schema.js';
import { nowIso } from './row-helpers.js';

/** One administrator-consent round trip, as the callback reads it. */
export interface ConsentRequest {
  id: string;
  accountId: string;
  purpose: ConsentRequestsTable['purpose'];
  serviceId: string | null;
  actor: Actor;
  step: ConsentRequestsTable['step'];
  tenantId: string | null;
  connectionFingerprint: string;
  signInEnc: string | null;
  expiresAt: string;
  usedAt: string | null;
}

export type NewConsentRequest = Omit<ConsentRequest, 'step' | 'tenantId' | 'signInEnc' | 'usedAt'>;

/**
 * Consent round trips (the OAuth `state`). Each step moves a row on with one conditional UPDATE, so of two
 * callbacks with the same state exactly one proceeds (on SQLite and PostgreSQL alike).
 */
export class ConsentRequestsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewConsentRequest): Promise<void> {
    await this.db
      .insertInto('consent_requests')
      .values({
        id: input.id,
        account_id: input.accountId,
        purpose: input.purpose,
        service_id: input.serviceId,
        actor: JSON.stringify(input.actor),
        step: 'consent',
        tenant_id: null,
        connection_fingerprint: input.connectionFingerprint,
        sign_in_enc: null,
        expires_at: input.expiresAt,
        used_at: null,
        created_at: nowIso(),
      })
      .execute();
  }

  async find(id: string): Promise<ConsentRequest | undefined> {
    const row = await this.db
      .selectFrom('consent_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRequest(row);
  }

  /** Moves an unused request from the consent step to the sign-in step; false if another callback did first. */
  async toSignIn(id: string, tenantId: string, signInEnc: string): Promise<boolean> {
    const result = await this.db
      .updateTable('consent_requests')
      .set({ step: 'sign_in', tenant_id: tenantId, sign_in_enc: signInEnc })
      .where('id', '=', id)
      .where('step', '=', 'consent')
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Marks the request used (at whichever step); false if it was used already. */
  async use(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('consent_requests')
      .set({ used_at: nowIso(), sign_in_enc: null })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Forgets requests that ended more than a day ago (they are refused either way). */
  async purgeBefore(iso: string): Promise<void> {
    await this.db.deleteFrom('consent_requests').where('expires_at', '<', iso).execute();
  }
}

function toRequest(row: Selectable<ConsentRequestsTable>): ConsentRequest {
  return {
    id: row.id,
    accountId: row.account_id,
    purpose: row.purpose,
    serviceId: row.service_id,
    actor: JSON.parse(row.actor) as Actor,
    step: row.step,
    tenantId: row.tenant_id,
    connectionFingerprint: row.connection_fingerprint,
    signInEnc: row.sign_in_enc,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}
