import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TrunkSettingsInput,
  TrunkSettingsView,
} from '../../../src/services/schemas/trunk-settings.schema.js';
import { ApiError, request } from './client.js';
import { v1 } from './queries.js';

export type Trunk = TrunkSettingsView;
export type TrunkInput = TrunkSettingsInput;

const trunkKey = (accountId: string, serviceId: string) => ['trunk', accountId, serviceId] as const;

/** A trunk service's SIP trunk; null while it is not configured (the API answers 404). */
export function useTrunk(accountId: string, serviceId: string) {
  return useQuery({
    queryKey: trunkKey(accountId, serviceId),
    queryFn: async () => {
      try {
        return await request<Trunk>('GET', v1(`/accounts/${accountId}/services/${serviceId}/trunk`));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    // The sip role writes the registration state and address health as they change.
    refetchInterval: 10_000,
  });
}

export function useSaveTrunk(accountId: string, serviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TrunkInput) =>
      request<Trunk>('PUT', v1(`/accounts/${accountId}/services/${serviceId}/trunk`), { body }),
    onSuccess: (trunk) => client.setQueryData(trunkKey(accountId, serviceId), trunk),
  });
}
