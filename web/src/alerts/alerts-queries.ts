import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  alertView,
  CreateSubscriptionInput,
  deliveryView,
  subscriptionView,
} from '../../../src/alerts/alerts.schema.js';
import { request } from '../api/client.js';
import { v1 } from '../api/queries.js';

// Types only, from the server's zod schemas (src/alerts/alerts.schema.ts): they cannot drift.
export type AlertItem = z.infer<typeof alertView>;
export type AlertSubscription = z.infer<typeof subscriptionView>;
export type AlertDelivery = z.infer<typeof deliveryView>;
export type NewAlertSubscription = CreateSubscriptionInput;

export interface AlertFilters {
  state?: string;
  kind?: string;
}

/** The alerts of an account (with those beneath it), newest first; `cursor` pages back. */
export function useAlerts(accountId: string, filters: AlertFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: ['alerts', accountId, 'page', filters, cursor ?? ''],
    queryFn: ({ signal }) =>
      request<{ items: AlertItem[]; nextCursor: string | null }>('GET', v1(`/accounts/${accountId}/alerts`), {
        query: { ...filters, limit: 25, cursor },
        signal,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

const subscriptionsUrl = (accountId: string) => v1(`/accounts/${accountId}/alert-subscriptions`);

export function useAlertSubscriptions(accountId: string) {
  return useQuery({
    queryKey: ['alerts', accountId, 'subscriptions'],
    queryFn: ({ signal }) =>
      request<{ items: AlertSubscription[] }>('GET', subscriptionsUrl(accountId), { signal }),
  });
}

export function useCreateAlertSubscription(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAlertSubscription) =>
      request<AlertSubscription>('POST', subscriptionsUrl(accountId), { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['alerts', accountId, 'subscriptions'] }),
  });
}

export function useUpdateAlertSubscription(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; enabled?: boolean }) =>
      request<AlertSubscription>('PATCH', `${subscriptionsUrl(accountId)}/${id}`, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['alerts', accountId, 'subscriptions'] }),
  });
}

export function useDeleteAlertSubscription(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<void>('DELETE', `${subscriptionsUrl(accountId)}/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['alerts', accountId, 'subscriptions'] }),
  });
}

export function useSendTest(accountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      request<{ deliveryId: string }>('POST', `${subscriptionsUrl(accountId)}/${id}/test`),
    onSuccess: (_result, id) =>
      client.invalidateQueries({ queryKey: ['alerts', accountId, 'deliveries', id] }),
  });
}

/** A subscription's delivery log; polled while a delivery is still pending. */
export function useDeliveries(accountId: string, subscriptionId: string) {
  return useQuery({
    queryKey: ['alerts', accountId, 'deliveries', subscriptionId],
    queryFn: ({ signal }) =>
      request<{ items: AlertDelivery[] }>(
        'GET',
        `${subscriptionsUrl(accountId)}/${subscriptionId}/deliveries`,
        {
          query: { limit: 20 },
          signal,
        },
      ),
    refetchInterval: (query) => (query.state.data?.items.some((d) => d.state === 'pending') ? 2000 : false),
  });
}
