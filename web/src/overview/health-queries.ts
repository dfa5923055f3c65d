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

/** An open alert as the overview shows it (the alerts API's fields it uses). */
export interface OpenAlert {
  id: string;
  subjectLabel: string;
  message: string;
  severity: 'warning' | 'critical';
  openedAt: string;
}

/**
 * The account's open alerts (and those of the accounts beneath it), first five; `null` when the viewer's role may
 * not read alerts (403), so the overview says so instead of failing.
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
        if (error instanceof ApiError && error.status === 403) return null;
        throw error;
      }
    },
    refetchInterval: REFRESH_MS,
  });
}
