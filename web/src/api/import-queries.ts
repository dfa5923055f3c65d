import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys, v1 } from './queries.js';
import type { ImportAnswer } from './types.js';

/** Where a service's users are exported as CSV (a plain link: the session cookie goes with it). */
export const exportUrl = (accountId: string, serviceId: string) =>
  v1(`/accounts/${accountId}/services/${serviceId}/export`);

/** Imports a CSV file's bytes into a service: a dry run reports per row; otherwise all rows or none. */
export function useImportCsv(accountId: string, serviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, dryRun }: { file: ArrayBuffer; dryRun: boolean }) =>
      request<ImportAnswer>('POST', v1(`/accounts/${accountId}/services/${serviceId}/import`), {
        raw: { data: file, contentType: 'text/csv' },
        query: { dryRun: String(dryRun) },
      }),
    onSuccess: async (answer) => {
      if (!answer.applied) return;
      await client.invalidateQueries({ queryKey: keys.users(accountId) });
      await client.invalidateQueries({ queryKey: keys.sync(accountId, serviceId) });
    },
  });
}
