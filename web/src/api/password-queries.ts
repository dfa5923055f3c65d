import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys } from './queries.js';

/** Changes the signed-in administrator's password; the session stays, the administrator's others end. */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      request<void>('POST', '/api/session/password', { body }),
    // The session now answers mustChangePassword: false, which opens the rest of the portal.
    onSuccess: () => client.invalidateQueries({ queryKey: keys.session }),
  });
}
