import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { holdings } from '../../domain/licences.js';
import { parsePhoneNumberInput } from '../../domain/numbers/e164.js';
import type { User, VoiceService } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import { listUsersQuery } from '../schemas/user.schema.js';
import type { TeamsSsoVerifier } from './teams-sso.verifier.js';

/** A Teams user the Phone App tab signed in: their Phone App user record and its service. */
export interface PhoneAppSession {
  accountId: string;
  user: User;
  service: VoiceService;
}

/** What the dialler shows about its user. */
export interface PhoneAppProfile {
  displayName: string;
  email: string;
  /** The country national numbers are read in (usage location, else the service's country). */
  country: string | null;
  phoneNumber: string | null;
  organisation: string;
}

export const directoryQuery = z.strictObject({
  search: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const refuse = (message: string, reason: string) => new AppError('forbidden', message, { reason });

/**
 * The Phone App tab's side of Callbridge: who the signed-in Teams user is (a Phone App user of a connected
 * tenant, licensed, with the app enabled) and the organisation's directory (calls: `PhoneAppCallsService`).
 */
export class PhoneAppUserService {
  constructor(
    private readonly store: Store,
    private readonly verifier: TeamsSsoVerifier,
  ) {}

  /** Verifies the SSO token and finds its Phone App user; anything short of that is a 401 or a 403 with why. */
  async authenticate(authorization: string | undefined): Promise<PhoneAppSession> {
    const identity = await this.verifier.verify(authorization);
    const accountId = identity.connection.accountId;
    const repos = this.store.repos;
    const suspended = await repos.accounts.suspendedOnLineage(await repos.accounts.lineage(accountId));
    if (suspended)
      throw new AppError(
        'account_suspended',
        "Your organisation's service is suspended: contact your provider.",
      );
    if (identity.connection.consentState !== 'granted')
      throw refuse(
        'Your organisation has not finished connecting Microsoft 365 to this service: ask your administrator.',
        'not_connected',
      );
    const user = await repos.users.findByObjectId(accountId, identity.objectId);
    if (!user || user.tenantState !== 'active')
      throw refuse(
        `${identity.upn ?? 'Your account'} is not a Phone App user of your organisation yet: ask your administrator to make you one and run Sync.`,
        'not_a_phone_app_user',
      );
    if (user.kind !== 'phone_app')
      throw refuse(
        'Your account is set up as a standard (Teams Phone) user, who calls from Teams itself: the Phone App is for users without Teams Phone.',
        'not_a_phone_app_user',
      );
    const service = await repos.services.findById(accountId, user.serviceId);
    if (!service?.teams.phoneAppEnabled || service.teams.phoneAppConsent !== 'granted')
      throw refuse(
        'The Phone App is not enabled and authorized for your organisation: ask your administrator.',
        'phone_app_disabled',
      );
    const held =
      holdings(await repos.subscriptions.listByAccount(accountId), new Date()).get('phone_app_user')?.held ??
      0;
    if (held <= 0)
      throw refuse(
        'Your organisation holds no Phone App licence: ask your administrator to contact your provider.',
        'no_licence',
      );
    return { accountId, user, service };
  }

  async profile(session: PhoneAppSession): Promise<PhoneAppProfile> {
    const account = await this.store.repos.accounts.findById(session.accountId);
    return {
      displayName: session.user.displayName,
      email: session.user.email,
      country: session.user.usageLocation ?? session.service.country,
      phoneNumber: session.user.phoneNumber,
      organisation: account?.name ?? '',
    };
  }

  /** The organisation's directory as the last sync brought it: people of the user's service who have a number. */
  async directory(session: PhoneAppSession, raw: z.input<typeof directoryQuery>) {
    const query = directoryQuery.parse(raw);
    const page = await this.store.repos.users.list(
      session.accountId,
      listUsersQuery.parse({ serviceId: session.service.id, search: query.search, limit: query.limit }),
    );
    return {
      contacts: page.items
        .filter((u) => u.tenantState === 'active' && u.id !== session.user.id)
        .map((u) => ({
          id: u.id,
          displayName: u.displayName,
          email: u.email,
          phoneNumber: u.phoneNumber,
          extension: u.extension,
        })),
    };
  }
}

/**
 * The E.164 number a user dialled. Unlike an administrator's number field, a dialler takes a national number as
 * dialled in the user's country (`020 7946 0123` in GB): the reading offers the E.164 form and the call uses it.
 */
export function dialledNumber(input: string, country: string | null): string {
  const parsed = parsePhoneNumberInput(input, {
    ...(country && { defaultCountry: country }),
    repairExcelDamage: false,
  });
  if (parsed.ok) return parsed.e164;
  if (parsed.problem === 'national_format' && parsed.suggestion && !parsed.suggestion.includes(';'))
    return parsed.suggestion;
  throw new AppError('invalid_phone_number', parsed.message, {
    field: 'number',
    ...(parsed.suggestion && { suggestion: parsed.suggestion }),
  });
}
