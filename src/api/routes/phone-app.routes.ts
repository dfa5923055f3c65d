import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { teamsSettingsInput } from '../../services/phone-app.service.js';
import { teamsSettings } from '../../services/schemas/voice-service.schema.js';
import { errorResponses } from './error-responses.js';

const params = z.object({ accountId: z.uuid(), serviceId: z.uuid() });

const phoneAppStatusView = z
  .object({
    provisioned: z
      .boolean()
      .describe('The account holds Phone App licences and the service is a PBX service.'),
    enabled: z.boolean(),
    consent: z.enum(['not_requested', 'granted', 'denied']),
    step: z
      .enum(['provision', 'enable', 'authorize', 'sync', 'ready'])
      .describe('The first step still missing before Phone App users can be synced in.'),
    message: z.string().describe('What to do next, in words an administrator can follow.'),
    teams: teamsSettings,
    phoneAppUsers: z.number(),
  })
  .meta({ id: 'PhoneAppStatus' });

const findingView = z
  .object({
    check: z.enum(['teams_only', 'external_access', 'licence']),
    user: z.string().nullable(),
    message: z.string(),
    fix: z.array(z.string()),
  })
  .meta({ id: 'PhoneAppFinding' });

/** The Teams services settings of a PBX service and its Phone App add-on. */
export function phoneAppRoutes(services: Services, publicUrl: string): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['phone app'];
    const base = '/accounts/:accountId/services/:serviceId';
    app.get(
      `${base}/phone-app`,
      {
        schema: {
          tags,
          summary: 'Where the Phone App stands: provisioned, enabled, authorized, synced, and the next step',
          params,
          response: { 200: phoneAppStatusView, ...errorResponses },
        },
      },
      async (req) => services.phoneApp.status(req.actor, req.params.accountId, req.params.serviceId),
    );
    app.patch(
      `${base}/teams-settings`,
      {
        schema: {
          tags,
          summary: 'Change the Teams services settings: Phone App on/off, Large Tenant Mode and its groups',
          params,
          body: teamsSettingsInput,
          response: { 200: phoneAppStatusView, ...errorResponses },
        },
      },
      async (req) =>
        services.phoneApp.updateSettings(req.actor, req.params.accountId, req.params.serviceId, req.body),
    );
    app.post(
      `${base}/phone-app/authorize`,
      {
        schema: {
          tags,
          summary: 'Authorize Phone App for my Organization: the administrator-consent URL to open',
          params,
          response: { 200: z.object({ consentUrl: z.string() }), ...errorResponses },
        },
      },
      async (req) =>
        services.phoneApp.authorize(
          req.actor,
          req.params.accountId,
          req.params.serviceId,
          `${publicUrl}/api/v1/consent/callback`,
        ),
    );
    app.get(
      `${base}/phone-app/checks`,
      {
        schema: {
          tags,
          summary: 'Run the Phone App checks now: Teams Only, external access, licences; each with its fix',
          params,
          response: {
            200: z.object({ findings: z.array(findingView), checkedUsers: z.number() }),
            ...errorResponses,
          },
        },
      },
      async (req) => services.phoneApp.checks(req.actor, req.params.accountId, req.params.serviceId),
    );
  };
}
