import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, request } from '../api/client.js';
import { v1 } from '../api/queries.js';
import type { AccountHealth, ClientHealthPage } from './health-types.js';

/** How often the overviews refresh while open: registrations and calls move on their own. */
const REFRESH_MS = 30_000;

/** The viewer's local midnight: "today's calls" are the viewer's today. */
function localMidnight(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

export function useAccountHealth(accountId: string) {
  return useQuery({
    queryKey: ['health', accountId],
    queryFn: ({ signal }) =>
      request<AccountHealth>('GET', v1(`/accounts/${accountId}/health`), {
        query: { since: localMidnight() },
        signal,
      }),
    refetchInterval: REFRESH_MS,
  });
}

export function useClientHealth(partnerId: string, offset: number, limit: number) {
  return useQuery({
    queryKey: ['client-health', partnerId, offset, limit],
    queryFn: ({ signal }) =>
      request<ClientHealthPage>('GET', v1(`/accounts/${partnerId}/client-health`), {
        query: { offset, limit },
        signal,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
}

/** An open alert as the overview shows it; the fields the alerts API is expected to give (all optional). */
export interface OpenAlert {
  id: string;
  title?: string;
  message?: string;
  severity?: string;
  openedAt?: string;
}

/**
 * The account's open alerts, or `null` while this server has no alerts API (404 on the route): the overview's
 * alerts panel then says so instead of failing. The alerts work (issue 18) serves the route.
 */
export function useOpenAlerts(accountId: string) {
  return useQuery({
    queryKey: ['alerts', accountId, 'open'],
    queryFn: async ({ signal }) => {
      try {
        const page = await request<{ items: OpenAlert[] }>('GET', v1(`/accounts/${accountId}/alerts`), {
          query: { state: 'open', limit: 5 },
          signal,
        });
        return page.items;
      } catch (error) {
        // The server's answer for a route it does not have (src/api/server.ts), not for an unknown account.
        if (error instanceof ApiError && error.status === 404 && error.message.startsWith('No route'))
          return null;
        throw error;
      }
    },
    refetchInterval: REFRESH_MS,
  });
}
