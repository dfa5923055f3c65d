import { useMutation, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { testCallView } from '../../../src/api/routes/test-calls.routes.js';
import { request } from './client.js';
import { v1 } from './queries.js';

export type TestCall = z.infer<typeof testCallView>;

const userUrl = (accountId: string, id: string) => v1(`/accounts/${accountId}/users/${id}`);

/** "Test call": rings the user's Teams client from the PBX side; answers the call in phase `calling`. */
export function useStartTestCall(accountId: string, userId: string) {
  return useMutation({
    mutationFn: () => request<TestCall>('POST', `${userUrl(accountId, userId)}/test-call`, { body: {} }),
  });
}

/** A test call's progress, read twice a second until it ended. */
export function useTestCall(accountId: string, userId: string, testCallId: string | undefined) {
  return useQuery({
    queryKey: ['test-call', accountId, userId, testCallId] as const,
    queryFn: () => request<TestCall>('GET', `${userUrl(accountId, userId)}/test-calls/${testCallId ?? ''}`),
    enabled: testCallId !== undefined,
    refetchInterval: (query) => (query.state.data?.phase === 'ended' ? false : 500),
  });
}
