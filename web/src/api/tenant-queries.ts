import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from './client.js';
import { keys, v1 } from './queries.js';
import type { ConnectTenant, LicenceLine, Subscription, TenantConnection } from './types.js';

/** The account's Microsoft 365 connection; null when the account has none yet. */
export function useTenantConnection(accountId: string) {
  return useQuery({
    queryKey: keys.tenantConnection(accountId),
    queryFn: async () => {
      try {
        return await request<TenantConnection>('GET', v1(`/accounts/${accountId}/tenant-connection`));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** Saves the connection settings; answers the administrator-consent URL to open. */
export function useConnectTenant(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ConnectTenant) =>
      request<{ connection: TenantConnection; consentUrl: string }>(
        'PUT',
        v1(`/accounts/${accountId}/tenant-connection`),
        { body },
      ),
    onSuccess: ({ connection }) => client.setQueryData(keys.tenantConnection(accountId), connection),
  });
}

/** The licence subscriptions the account holds. */
export function useSubscriptions(accountId: string) {
  return useQuery({
    queryKey: keys.subscriptions(accountId),
    queryFn: async () =>
      (await request<{ items: Subscription[] }>('GET', v1(`/accounts/${accountId}/subscriptions`))).items,
  });
}

/** The licence summary per SKU: held, used by configured users, free, trial end and the warning to show. */
export function useLicences(accountId: string) {
  return useQuery({
    queryKey: keys.licences(accountId),
    queryFn: async () =>
      (await request<{ items: LicenceLine[] }>('GET', v1(`/accounts/${accountId}/licences`))).items,
  });
}
