import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys, v1 } from './queries.js';
import type { SyncOverview, SyncRun, SyncRunDetails } from './types.js';

/** How often a sync in progress is asked about. */
export const SYNC_POLL_MS = 1000;

const unfinished = (run: SyncRun | null | undefined) => run?.state === 'queued' || run?.state === 'running';

/** The Sync Now button's state; polls while a sync is queued or running. */
export function useSyncOverview(accountId: string, serviceId: string) {
  return useQuery({
    queryKey: keys.syncOverview(accountId, serviceId),
    queryFn: () => request<SyncOverview>('GET', v1(`/accounts/${accountId}/services/${serviceId}/sync`)),
    refetchInterval: (query) => (query.state.data?.status === 'syncing' ? SYNC_POLL_MS : false),
    staleTime: 0,
  });
}

/** The service's sync history, newest first; polls while its newest run is unfinished. */
export function useSyncRuns(accountId: string, serviceId: string) {
  return useQuery({
    queryKey: keys.syncRuns(accountId, serviceId),
    queryFn: async () =>
      (
        await request<{ items: SyncRun[] }>(
          'GET',
          v1(`/accounts/${accountId}/services/${serviceId}/sync/runs`),
        )
      ).items,
    refetchInterval: (query) => (query.state.data?.some(unfinished) ? SYNC_POLL_MS : false),
    staleTime: 0,
  });
}

/** One run with its plan and log; polls until it has finished. */
export function useSyncRun(accountId: string, runId: string | undefined) {
  return useQuery({
    queryKey: keys.syncRun(accountId, runId ?? ''),
    queryFn: () => request<SyncRunDetails>('GET', v1(`/accounts/${accountId}/sync-runs/${runId ?? ''}`)),
    enabled: runId !== undefined,
    refetchInterval: (query) => (unfinished(query.state.data) ? SYNC_POLL_MS : false),
  });
}

/** Sync Now, a dry run, or a diagnostic sync; joins a sync already queued or running. */
export function useStartSync(accountId: string, serviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { dryRun: boolean; diagnostic: boolean }) =>
      request<{ run: SyncRun; joined: boolean }>(
        'POST',
        v1(`/accounts/${accountId}/services/${serviceId}/sync`),
        { body },
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.sync(accountId, serviceId) }),
  });
}
