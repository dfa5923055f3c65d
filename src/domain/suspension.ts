/**
 * Suspension (by the provider above an account, e.g. for non-payment): what it stops and what it says. Pure; the
 * access service finds the suspended account on the lineage and the brand to contact.
 */
import type { Permission } from './access.js';
import { AppError } from './errors.js';

/** Permissions that change something: refused on a suspended account (and beneath a suspended partner). */
export const WRITE_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  'account.manage',
  'access.manage',
  'subscription.manage',
  'service.write',
  'sync.run',
  'brand.write',
]);

/** The reason shown beside the registration state of the users of a suspended account. */
export const SUSPENDED_REGISTRATION_REASON = 'account suspended';

/** Why an account is read-only: the suspended account on its lineage (itself or a partner above) and whom to ask. */
export interface Suspension {
  /** The account whose status is `suspended` (the account itself, or a partner above it). */
  accountId: string;
  accountName: string;
  /** Who can reactivate it: the partner above, or the platform operator for a top-level partner. */
  contactName: string;
  /** The contact's support email and phone from its brand, when set. */
  contactDetails: string[];
}

function contactOf(s: Suspension): string {
  return s.contactDetails.length > 0 ? `${s.contactName} (${s.contactDetails.join(', ')})` : s.contactName;
}

/**
 * The sentence the portal shows in its banner on `accountName` while `s` holds.
 *
 * @example suspensionNotice('Contoso', s) // "This account is suspended by Provider: ..."
 */
export function suspensionNotice(accountId: string, s: Suspension): string {
  const why = accountId === s.accountId ? '' : ` (its partner ${s.accountName} is suspended)`;
  return `This account is suspended${why}: it is read-only, its syncs and imports are refused and its users are unregistered from the PBX. Contact ${contactOf(s)} to reactivate it.`;
}

/** The refusal of a change on a suspended account: 403 `account_suspended`, naming whom to contact. */
export function suspendedError(accountId: string, s: Suspension): AppError {
  const beneath = accountId === s.accountId ? '' : ', and every account beneath it with it';
  return new AppError(
    'account_suspended',
    `${s.accountName} is suspended${beneath}: it is read-only, and syncs and imports are refused. Contact ${contactOf(s)} to reactivate it.`,
    { suspendedAccountId: s.accountId, contact: s.contactName },
  );
}
