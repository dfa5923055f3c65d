import type { User } from '../api/types.js';

export interface ReadinessWarning {
  /** A few words for the table. */
  short: string;
  /** What is wrong and how to fix it. */
  detail: string;
}

/**
 * What stops a user from calling through the PBX in Teams, as far as the user's own record shows. Tenant-wide
 * checks (external access, consent, licences held) join when their APIs exist.
 */
export function readinessWarnings(user: User): ReadinessWarning[] {
  const warnings: ReadinessWarning[] = [];
  if (!user.phoneNumber && user.kind !== 'phone_app') {
    warnings.push({
      short: 'No number',
      detail: 'Teams identifies the user by a number: give the user one in E.164, e.g. +441235123465.',
    });
  }
  if (user.registrationEnabled && (!user.sipUsername || !user.hasSipPassword)) {
    warnings.push({
      short: 'No SIP credentials',
      detail: 'Set a SIP username and password from the PBX so Callbridge can register the user.',
    });
  }
  if (user.registrationState === 'failed') {
    const why = user.registrationDetail.reason ?? 'the PBX refused the registration';
    warnings.push({
      short: 'Registration failed',
      detail: `Registration failed: ${why}. Check the credentials.`,
    });
  }
  if (user.registrationState === 'unconfirmed') {
    warnings.push({
      short: 'PBX not answering',
      detail:
        'The PBX stopped answering, so it may have lost this registration and calls from it may fail. Check that the PBX is running and reachable; Callbridge re-registers the user as soon as it answers.',
    });
  }
  if (user.registrationState === 'expiring') {
    warnings.push({
      short: 'Expiring',
      detail: 'Registrations do not keep up with the expiry: set a longer registration expiry on the PBX.',
    });
  }
  if (user.kind === 'phone_app' && user.coexistenceMode && user.coexistenceMode !== 'TeamsOnly') {
    warnings.push({
      short: 'Not Teams Only',
      detail: `The user is in ${user.coexistenceMode} mode; the Phone App needs Teams Only. In the Teams admin centre set Teams upgrade > Coexistence mode to Teams Only (for the user or the whole tenant).`,
    });
  }
  if (user.syncError) {
    warnings.push({
      short: 'Sync problem',
      detail: `The last sync could not update this user: ${user.syncError}`,
    });
  }
  if (user.tenantState === 'disabled' || user.tenantState === 'removed') {
    warnings.push({
      short: user.tenantState === 'disabled' ? 'Disabled in Microsoft 365' : 'Removed from Microsoft 365',
      detail: `The account is ${user.tenantState} in the Microsoft 365 tenant: it cannot use Teams calling.`,
    });
  }
  return warnings;
}
