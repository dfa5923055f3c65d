import type { Invitation, Role } from '../api/types.js';

/** The names administrators see for each role (the server's ROLE_LABELS; typed, so a new role shows up here). */
export const ROLE_LABELS: Record<Role, string> = {
  account_owner: 'Account Owner',
  subscription_owner: 'Subscription Owner',
  subscription_contributor: 'Subscription Contributor',
  subscription_viewer: 'Subscription Viewer',
  service_contributor: 'Service Contributor',
  service_viewer: 'Service Viewer',
  brand_contributor: 'Brand Contributor',
  sync_contributor: 'Sync Contributor',
};

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

/** Where an invitation stands. */
export function invitationState(invitation: Invitation, now = Date.now()): InvitationState {
  if (invitation.acceptedAt) return 'accepted';
  if (invitation.revokedAt) return 'revoked';
  if (new Date(invitation.expiresAt).getTime() <= now) return 'expired';
  return 'pending';
}

/** A short date and time in the administrator's locale. */
export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A short date in the administrator's locale. */
export function formatDay(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}
