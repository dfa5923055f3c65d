import type { AppContext } from '../app/context.js';
import { carrierNamesOf } from '../services/sync/carrier-setup.js';
import { callSettingsOf, refusal, type CallUser, type CallUserDirectory } from './call-user.js';

/**
 * The users of calls, read from the store when a call starts (one indexed read of the user and one of the
 * service, whose stored call settings so apply from the next call on; the SIP password is decrypted only then).
 * Why a user's calls are refused comes from the sip role, which decides it for registrations anyway (licence,
 * tenant state, suspended account): one rule for both.
 *
 * @example const directory = storeCallUsers(ctx, (id) => disabledReasons.get(id));
 */
export function storeCallUsers(
  ctx: Pick<AppContext, 'store' | 'secrets' | 'config'>,
  refusedBecause: (userId: string) => string | undefined,
): CallUserDirectory {
  const { store, secrets, config } = ctx;
  return {
    async find(userId) {
      const row = await store.handle.db
        .selectFrom('users')
        .select([
          'id',
          'account_id',
          'service_id',
          'phone_number',
          'sip_username',
          'auth_username',
          'sip_password_enc',
          'kind',
          'upn',
        ])
        .where('id', '=', userId)
        .executeTakeFirst();
      if (!row?.sip_username || !row.sip_password_enc) return undefined;
      const service = await store.repos.services.findByIdForSystem(row.service_id);
      if (!service || service.accountId !== row.account_id) return undefined;
      const why = refusedBecause(userId);
      const user: CallUser = {
        userId: row.id,
        accountId: row.account_id,
        serviceId: service.id,
        number: row.phone_number,
        customerFqdn: carrierNamesOf(service.id, config.sbcDomain).domain,
        country: service.country,
        pbx: {
          sipDomain: service.sipDomain,
          ...(service.proxyHost && { proxyHost: service.proxyHost }),
          ...(service.proxyPort && { proxyPort: service.proxyPort }),
          transport: service.transport,
          sipUsername: row.sip_username,
          authUsername: row.auth_username ?? row.sip_username,
          password: secrets.decrypt(row.sip_password_enc),
        },
        settings: callSettingsOf(service.calls),
        ...(why !== undefined && { refusal: refusal('user_not_callable', why) }),
        ...(row.kind === 'phone_app' && row.upn && { phoneApp: { address: row.upn.toLowerCase() } }),
      };
      return user;
    },
  };
}
