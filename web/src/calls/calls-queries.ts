import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { request } from '../api/client.js';
import { v1 } from '../api/queries.js';
import type { CallDetail, CallsPage, LadderEntry } from './call-types.js';

const callsUrl = (accountId: string) => v1(`/accounts/${accountId}/calls`);

/** Filters of the call log (all optional). */
export interface CallFilters {
  userId?: string;
  result?: string;
  direction?: string;
  number?: string;
}

/** A page of calls, newest first (`cursor`: the page after the one that gave it). */
export function useCalls(accountId: string, filters: CallFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: ['calls', accountId, 'page', filters, cursor ?? ''],
    queryFn: ({ signal }) =>
      request<CallsPage>('GET', callsUrl(accountId), { query: { ...filters, limit: 20, cursor }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useCall(accountId: string, callId: string) {
  return useQuery({
    queryKey: ['calls', accountId, callId],
    queryFn: ({ signal }) =>
      request<CallDetail>('GET', `${callsUrl(accountId)}/${encodeURIComponent(callId)}`, { signal }),
  });
}

/** The call's ladder; only asked for when the call has one. */
export function useLadder(accountId: string, callId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['calls', accountId, callId, 'ladder'],
    enabled,
    queryFn: ({ signal }) =>
      request<{ items: LadderEntry[] }>(
        'GET',
        `${callsUrl(accountId)}/${encodeURIComponent(callId)}/ladder`,
        { signal },
      ),
  });
}

/** Where the ladder downloads as a text file. */
export const ladderTextUrl = (accountId: string, callId: string) =>
  `${callsUrl(accountId)}/${encodeURIComponent(callId)}/ladder/text`;
