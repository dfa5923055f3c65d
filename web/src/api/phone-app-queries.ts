import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client.js';
import { keys, v1 } from './queries.js';
import type { PhoneAppFinding, PhoneAppStatus, TeamsSettingsInput } from './types.js';

const base = (accountId: string, serviceId: string) => v1(`/accounts/${accountId}/services/${serviceId}`);

/** Where the service's Phone App stands and the next step, with its Teams services settings. */
export function usePhoneAppStatus(accountId: string, serviceId: string) {
  return useQuery({
    queryKey: keys.phoneApp(accountId, serviceId),
    queryFn: () => request<PhoneAppStatus>('GET', `${base(accountId, serviceId)}/phone-app`),
  });
}

/** Saves Teams services settings (Phone App on/off, Large Tenant Mode and its groups); answers the new status. */
export function useSaveTeamsSettings(accountId: string, serviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TeamsSettingsInput) =>
      request<PhoneAppStatus>('PATCH', `${base(accountId, serviceId)}/teams-settings`, { body }),
    onSuccess: (status) => {
      client.setQueryData(keys.phoneApp(accountId, serviceId), status);
      return client.invalidateQueries({ queryKey: keys.service(accountId, serviceId) });
    },
  });
}

/** "Authorize Phone App for my Organization": the administrator-consent URL to open. */
export function useAuthorizePhoneApp(accountId: string, serviceId: string) {
  return useMutation({
    mutationFn: () =>
      request<{ consentUrl: string }>('POST', `${base(accountId, serviceId)}/phone-app/authorize`),
  });
}

/** Runs the Phone App checks now (Teams Only, external access, licences). */
export function useRunPhoneAppChecks(accountId: string, serviceId: string) {
  return useMutation({
    mutationFn: () =>
      request<{ findings: PhoneAppFinding[]; checkedUsers: number }>(
        'GET',
        `${base(accountId, serviceId)}/phone-app/checks`,
      ),
  });
}
