import type { Kysely, Selectable } from 'kysely';
import type { TrunkAddressHealth, TrunkSettings } from '../../domain/trunk.js';
import type { Database, TrunkSettingsTable } from '../schema.js';

/** What a write of the settings carries (the state columns are the sip role's, written apart). */
export type TrunkSettingsWrite = Omit<
  TrunkSettings,
  'registrationState' | 'registrationDetail' | 'health' | 'stateUpdatedAt' | 'createdAt' | 'updatedAt'
>;

/**
 * The settings of each trunk service's SIP trunk (0022). Reads by an account are scoped to it (a hostile
 * administrator of another customer names ids that are not theirs: nothing is found); the sip role reads all.
 */
export class TrunkSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(accountId: string, serviceId: string): Promise<TrunkSettings | undefined> {
    const row = await this.db
      .selectFrom('trunk_settings')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .executeTakeFirst();
    return row && toTrunkSettings(row);
  }

  /** Every trunk (the sip role). */
  async listForSystem(): Promise<TrunkSettings[]> {
    const rows = await this.db.selectFrom('trunk_settings').selectAll().orderBy('service_id').execute();
    return rows.map(toTrunkSettings);
  }

  /** Insert or replace the settings, keeping the state the sip role wrote. */
  async save(settings: TrunkSettingsWrite, now: string): Promise<TrunkSettings> {
    const values = {
      kind: settings.kind,
      domain: settings.domain,
      addresses: JSON.stringify(settings.addresses),
      transport: settings.transport,
      username: settings.username,
      auth_username: settings.authUsername,
      password_enc: settings.passwordEnc,
      number_format: settings.numberFormat,
      number_prefix: settings.numberPrefix,
      called_number_from: settings.calledNumberFrom,
      assert_identity: settings.assertIdentity ? 1 : 0,
      max_channels: settings.maxChannels,
      codecs: JSON.stringify(settings.codecs),
      updated_at: now,
    };
    await this.db
      .insertInto('trunk_settings')
      .values({
        service_id: settings.serviceId,
        account_id: settings.accountId,
        ...values,
        created_at: now,
      })
      .onConflict((oc) => oc.column('service_id').doUpdateSet(values))
      .execute();
    return (await this.find(settings.accountId, settings.serviceId))!;
  }

  /** Every sealed trunk password (key rotation). */
  async listPasswordCiphertexts(): Promise<{ id: string; ciphertext: string }[]> {
    const rows = await this.db
      .selectFrom('trunk_settings')
      .select(['service_id', 'password_enc'])
      .where('password_enc', 'is not', null)
      .execute();
    return rows.map((r) => ({ id: r.service_id, ciphertext: r.password_enc! }));
  }

  async replacePasswordCiphertext(serviceId: string, ciphertext: string): Promise<void> {
    await this.db
      .updateTable('trunk_settings')
      .set({ password_enc: ciphertext })
      .where('service_id', '=', serviceId)
      .execute();
  }

  /** The sip role's view of a trunk: registration state (registration trunks) and health per address. */
  async recordState(
    serviceId: string,
    state: {
      registration?: { state: string; detail: Record<string, unknown> };
      health?: TrunkAddressHealth[];
    },
    now: string,
  ): Promise<void> {
    await this.db
      .updateTable('trunk_settings')
      .set({
        ...(state.registration && {
          registration_state: state.registration.state,
          registration_detail: JSON.stringify(state.registration.detail),
        }),
        ...(state.health && { address_health: JSON.stringify(state.health) }),
        state_updated_at: now,
      })
      .where('service_id', '=', serviceId)
      .execute();
  }
}

function toTrunkSettings(row: Selectable<TrunkSettingsTable>): TrunkSettings {
  return {
    serviceId: row.service_id,
    accountId: row.account_id,
    kind: row.kind,
    domain: row.domain,
    addresses: JSON.parse(row.addresses) as TrunkSettings['addresses'],
    transport: row.transport,
    username: row.username,
    authUsername: row.auth_username,
    passwordEnc: row.password_enc,
    numberFormat: row.number_format,
    numberPrefix: row.number_prefix,
    calledNumberFrom: row.called_number_from,
    assertIdentity: row.assert_identity === 1,
    maxChannels: row.max_channels,
    codecs: JSON.parse(row.codecs) as string[],
    registrationState: row.registration_state,
    registrationDetail: row.registration_detail
      ? (JSON.parse(row.registration_detail) as Record<string, unknown>)
      : null,
    health: row.address_health ? (JSON.parse(row.address_health) as TrunkAddressHealth[]) : [],
    stateUpdatedAt: row.state_updated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
