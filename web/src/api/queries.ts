import {
  keepPreviousData,
  type QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { ApiError, request } from './client.js';
import type {
  Account,
  Administrator,
  CreateAccount,
  CreateService,
  CreateUser,
  Page,
  Service,
  UpdateAccount,
  UpdateService,
  UpdateUser,
  User,
  UsersQuery,
} from './types.js';

/** Query keys in one place, so changes invalidate exactly what they touch. */
export const keys = {
  session: ['session'] as const,
  accounts: ['accounts'] as const,
  account: (id: string) => ['accounts', id] as const,
  services: (accountId: string) => ['services', accountId] as const,
  service: (accountId: string, id: string) => ['services', accountId, id] as const,
  users: (accountId: string) => ['users', accountId] as const,
  usersPage: (accountId: string, query: UsersQuery) => ['users', accountId, 'page', query] as const,
  user: (accountId: string, id: string) => ['users', accountId, id] as const,
  tenantConnection: (accountId: string) => ['tenant-connection', accountId] as const,
  subscriptions: (accountId: string) => ['subscriptions', accountId] as const,
  licences: (accountId: string) => ['licences', accountId] as const,
  access: (accountId: string) => ['access', accountId] as const,
  roles: (accountId: string) => ['roles', accountId] as const,
  invitations: (accountId: string) => ['invitations', accountId] as const,
  audit: (accountId: string, objectType: string) => ['audit', accountId, objectType] as const,
  phoneApp: (accountId: string, serviceId: string) => ['phone-app', accountId, serviceId] as const,
  sync: (accountId: string, serviceId: string) => ['sync', accountId, serviceId] as const,
  syncOverview: (accountId: string, serviceId: string) => ['sync', accountId, serviceId, 'overview'] as const,
  syncRuns: (accountId: string, serviceId: string) => ['sync', accountId, serviceId, 'runs'] as const,
  syncRun: (accountId: string, runId: string) => ['sync-run', accountId, runId] as const,
};

/** A path under the API's version prefix. */
export const v1 = (path: string) => `/api/v1${path}`;

/** Who is signed in; null when nobody is. */
export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async () => {
      try {
        return await request<Administrator>('GET', '/api/session');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) =>
      request<Administrator>('POST', '/api/session', { body }),
    onSuccess: (administrator) => {
      forgetAccountData(client);
      client.setQueryData(keys.session, administrator);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request<void>('DELETE', '/api/session'),
    onSettled: () => {
      client.setQueryData(keys.session, null);
      forgetAccountData(client);
    },
  });
}

/** Drops everything read under another session (the session query itself stays observed by the app). */
function forgetAccountData(client: QueryClient): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
}

/** Every account the administrator can see (partners and their clients). */
export function useAccounts() {
  return useQuery({
    queryKey: keys.accounts,
    queryFn: async () => (await request<{ items: Account[] }>('GET', v1('/accounts'))).items,
  });
}

export function useAccount(id: string) {
  return useQuery({
    queryKey: keys.account(id),
    queryFn: () => request<Account>('GET', v1(`/accounts/${id}`)),
  });
}

export function useCreateAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAccount) => request<Account>('POST', v1('/accounts'), { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.accounts }),
  });
}

export function useUpdateAccount(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateAccount) => request<Account>('PATCH', v1(`/accounts/${id}`), { body }),
    onSuccess: async (account) => {
      client.setQueryData(keys.account(id), account);
      // A suspension (or reactivation) changes what may be done here and in every account beneath.
      await client.invalidateQueries({ queryKey: ['access'] });
      return client.invalidateQueries({ queryKey: keys.accounts });
    },
  });
}

export function useServices(accountId: string) {
  return useQuery({
    queryKey: keys.services(accountId),
    queryFn: async () =>
      (await request<{ items: Service[] }>('GET', v1(`/accounts/${accountId}/services`))).items,
  });
}

export function useService(accountId: string, id: string) {
  return useQuery({
    queryKey: keys.service(accountId, id),
    queryFn: () => request<Service>('GET', v1(`/accounts/${accountId}/services/${id}`)),
  });
}

export function useSaveService(accountId: string, id: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateService | UpdateService) =>
      id
        ? request<Service>('PATCH', v1(`/accounts/${accountId}/services/${id}`), { body })
        : request<Service>('POST', v1(`/accounts/${accountId}/services`), { body }),
    onSuccess: (service) => {
      client.setQueryData(keys.service(accountId, service.id), service);
      return client.invalidateQueries({ queryKey: keys.services(accountId), exact: true });
    },
  });
}

/** One page of users: the server pages, sorts, filters and searches, so 100,000 users cost one page. */
export function useUsersPage(accountId: string, query: UsersQuery) {
  return useQuery({
    queryKey: keys.usersPage(accountId, query),
    queryFn: ({ signal }) =>
      request<Page<User>>('GET', v1(`/accounts/${accountId}/users`), { query, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useUser(accountId: string, id: string) {
  return useQuery({
    queryKey: keys.user(accountId, id),
    queryFn: () => request<User>('GET', v1(`/accounts/${accountId}/users/${id}`)),
  });
}

export function useCreateUser(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUser) => request<User>('POST', v1(`/accounts/${accountId}/users`), { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.users(accountId) }),
  });
}

export function useUpdateUser(accountId: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateUser) =>
      request<User>('PATCH', v1(`/accounts/${accountId}/users/${id}`), { body }),
    onSuccess: async (user) => {
      await client.invalidateQueries({ queryKey: keys.users(accountId) });
      client.setQueryData(keys.user(accountId, id), user);
    },
  });
}
