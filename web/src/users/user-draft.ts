import type { CreateUser, UpdateUser, User } from '../api/types.js';

/** What the user form edits, as typed. */
export interface UserDraft {
  serviceId: string;
  email: string;
  displayName: string;
  phoneNumber: string;
  sipUsername: string;
  authUsername: string;
  sipPassword: string;
  removePassword: boolean;
  registrationEnabled: boolean;
  externalId: string;
}

export function draftOf(user: User | undefined, serviceId = ''): UserDraft {
  return {
    serviceId: user?.serviceId ?? serviceId,
    email: user?.email ?? '',
    displayName: user?.displayName ?? '',
    phoneNumber: user?.lineUri ? lineUriText(user) : '',
    sipUsername: user?.sipUsername ?? '',
    authUsername: user?.authUsername ?? '',
    sipPassword: '',
    removePassword: false,
    registrationEnabled: user?.registrationEnabled ?? true,
    externalId: user?.externalId ?? '',
  };
}

function lineUriText(user: User): string {
  if (!user.phoneNumber) return '';
  return user.extension ? `${user.phoneNumber};ext=${user.extension}` : user.phoneNumber;
}

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

/** The body that adds a user. */
export function createBody(d: UserDraft): CreateUser {
  return {
    serviceId: d.serviceId,
    email: d.email.trim(),
    displayName: d.displayName,
    phoneNumber: orNull(d.phoneNumber),
    sipUsername: orNull(d.sipUsername),
    authUsername: orNull(d.authUsername),
    ...(d.sipPassword && { sipPassword: d.sipPassword }),
    registrationEnabled: d.registrationEnabled,
    externalId: orNull(d.externalId),
  };
}

/** Only what changed, with the version read, so a concurrent change is refused rather than overwritten. */
export function updateBody(before: User, d: UserDraft): UpdateUser | undefined {
  const was = draftOf(before);
  const body: UpdateUser = {};
  if (d.displayName !== was.displayName) body.displayName = d.displayName;
  if (d.phoneNumber.trim() !== was.phoneNumber) body.phoneNumber = orNull(d.phoneNumber);
  if (d.sipUsername.trim() !== was.sipUsername) body.sipUsername = orNull(d.sipUsername);
  if (d.authUsername.trim() !== was.authUsername) body.authUsername = orNull(d.authUsername);
  if (d.removePassword) body.sipPassword = null;
  else if (d.sipPassword) body.sipPassword = d.sipPassword;
  if (d.registrationEnabled !== was.registrationEnabled) body.registrationEnabled = d.registrationEnabled;
  if (d.externalId.trim() !== was.externalId) body.externalId = orNull(d.externalId);
  if (Object.keys(body).length === 0) return undefined;
  return { ...body, version: before.version };
}
