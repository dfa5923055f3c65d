import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys, v1 } from './queries.js';
import type { AccountAccess, Administrator, AuditEntry, Invitation, Role, RoleAssignment } from './types.js';

/** What the signed-in administrator may do on the account (roles held here or above, permissions). */
export function useAccountAccess(accountId: string) {
  return useQuery({
    queryKey: keys.access(accountId),
    queryFn: () => request<AccountAccess>('GET', v1(`/accounts/${accountId}/access`)),
    enabled: accountId !== '',
    staleTime: 60_000,
  });
}

/** Administrators holding roles on the account, and the roles the caller may grant. */
export function useRoles(accountId: string) {
  return useQuery({
    queryKey: keys.roles(accountId),
    queryFn: () =>
      request<{ items: RoleAssignment[]; grantable: Role[] }>('GET', v1(`/accounts/${accountId}/roles`)),
  });
}

export function useRevokeRole(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ administratorId, role }: { administratorId: string; role: Role }) =>
      request<void>('DELETE', v1(`/accounts/${accountId}/roles/${administratorId}/${role}`)),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.roles(accountId) }),
  });
}

export function useInvitations(accountId: string) {
  return useQuery({
    queryKey: keys.invitations(accountId),
    queryFn: async () =>
      (await request<{ items: Invitation[] }>('GET', v1(`/accounts/${accountId}/invitations`))).items,
  });
}

/** The answer to an invitation: `link` is there when no mail server sent it, to pass on by hand. */
export interface InviteAnswer {
  invitation: Invitation;
  emailed: boolean;
  link?: string;
}

export function useInvite(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      request<InviteAnswer>('POST', v1(`/accounts/${accountId}/invitations`), { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.invitations(accountId) }),
  });
}

export function useRevokeInvitation(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      request<void>('DELETE', v1(`/accounts/${accountId}/invitations/${invitationId}`)),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.invitations(accountId) }),
  });
}

export const AUDIT_PAGE_SIZE = 50;

/** The audit log, newest first, a page at a time ("Load more" follows `nextCursor`). */
export function useAuditLog(accountId: string, objectType: string) {
  return useInfiniteQuery({
    queryKey: keys.audit(accountId, objectType),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      request<{ items: AuditEntry[]; nextCursor: string | null }>('GET', v1(`/accounts/${accountId}/audit`), {
        query: { limit: AUDIT_PAGE_SIZE, objectType, before: pageParam },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Accepts an invitation; the API answers with the session cookie of the administrator it signed in. */
export function useAcceptInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { token: string; password: string; displayName?: string }) =>
      request<Administrator>('POST', '/api/invitations/accept', { body }),
    onSuccess: (administrator) => {
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
      client.setQueryData(keys.session, administrator);
    },
  });
}

/** What an invitation link is for (email, account, role, whether that email can sign in already). */
export interface InvitationDescription {
  email: string;
  accountName: string;
  role: Role;
  existingAdministrator: boolean;
}

export function useInvitationDescription(token: string | undefined) {
  return useQuery({
    queryKey: ['invitation', token],
    enabled: token !== undefined,
    retry: false,
    queryFn: () =>
      request<InvitationDescription>('POST', '/api/invitations/lookup', { body: { token: token ?? '' } }),
  });
}

/** Which sign-in methods the portal offers (Microsoft Entra ID when configured). */
export function useSignInProviders() {
  return useQuery({
    queryKey: ['sign-in-providers'],
    queryFn: () => request<{ password: boolean; entra: boolean }>('GET', '/api/session/providers'),
    staleTime: Infinity,
  });
}
