import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys, v1 } from './queries.js';
import type { ImportRecord, RollbackResult } from './types.js';

/** What a rollback undoes: an applied sync run or an applied CSV import. */
export interface RollbackTarget {
  kind: 'sync_run' | 'import';
  id: string;
}

const rollbackUrl = (accountId: string, target: RollbackTarget) =>
  v1(
    target.kind === 'sync_run'
      ? `/accounts/${accountId}/sync-runs/${target.id}/rollback`
      : `/accounts/${accountId}/imports/${target.id}/rollback`,
  );

/** The account's applied CSV imports, newest first. */
export function useImports(accountId: string) {
  return useQuery({
    queryKey: ['imports', accountId],
    queryFn: async () =>
      (await request<{ items: ImportRecord[] }>('GET', v1(`/accounts/${accountId}/imports`))).items,
    staleTime: 0,
  });
}

/** Plans (dryRun) or applies a rollback; applying refreshes users, the sync state and the import history. */
export function useRollback(accountId: string, target: RollbackTarget) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (dryRun: boolean) =>
      request<RollbackResult>('POST', rollbackUrl(accountId, target), { body: { dryRun } }),
    onSuccess: async (result) => {
      if (result.dryRun) return;
      await client.invalidateQueries({ queryKey: keys.users(accountId) });
      await client.invalidateQueries({ queryKey: keys.sync(accountId, result.serviceId) });
      await client.invalidateQueries({ queryKey: ['imports', accountId] });
    },
  });
}
