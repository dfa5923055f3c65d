import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys, v1 } from './queries.js';
import type { User } from './types.js';

const userUrl = (accountId: string, id: string) => v1(`/accounts/${accountId}/users/${id}`);

/** "Retry now" for a failed registration; answers the user as pending. */
export function useRetryRegistration(accountId: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request<User>('POST', `${userUrl(accountId, id)}/registration/retry`),
    onSuccess: async (user) => {
      client.setQueryData(keys.user(accountId, id), user);
      await client.invalidateQueries({ queryKey: keys.users(accountId) });
    },
  });
}

/** Deletes a user (unregistered, number and licence freed). */
export function useDeleteUser(accountId: string, id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request<null>('DELETE', userUrl(accountId, id)),
    onSuccess: async () => {
      client.removeQueries({ queryKey: keys.user(accountId, id) });
      await client.invalidateQueries({ queryKey: keys.users(accountId) });
      await client.invalidateQueries({ queryKey: keys.licences(accountId) });
    },
  });
}
