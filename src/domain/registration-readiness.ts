import type { User } from './records.js';

/** Why a user without SIP credentials (every user new from the tenant) is not registered. */
export const SIP_CREDENTIALS_MISSING = 'Set a SIP username and password to register this user to the PBX.';

export type RegistrationReadiness = { ready: true } | { ready: false; reason: string };

/**
 * Whether a user can be registered to the PBX: registration on, and a SIP username and password set. When not,
 * the reason an administrator sees next to the "disabled" state.
 *
 * @example registrationReadiness({ registrationEnabled: true, sipUsername: null, hasSipPassword: false }).ready // false
 */
export function registrationReadiness(
  user: Pick<User, 'registrationEnabled' | 'sipUsername' | 'hasSipPassword'>,
): RegistrationReadiness {
  if (!user.registrationEnabled) return { ready: false, reason: 'Registration is turned off for this user.' };
  if (user.sipUsername === null || !user.hasSipPassword) {
    return { ready: false, reason: SIP_CREDENTIALS_MISSING };
  }
  return { ready: true };
}
