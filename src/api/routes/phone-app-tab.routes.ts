import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { directoryQuery, placeCallInput } from '../../services/phone-app/phone-app-user.service.js';
import { errorBody, errorResponses } from './error-responses.js';

/** Where the tab's routes live; the administrators' auth hook leaves them to their own single sign-on. */
export const PHONE_APP_TAB_PREFIX = '/api/v1/phone-app/';

const ssoNote =
  'Authenticated by the Teams single sign-on token of the Phone App tab (`Authorization: Bearer <token>` from ' +
  "Teams' authentication.getAuthToken), not by an administrator's credential.";

const profileView = z
  .object({
    displayName: z.string(),
    email: z.string(),
    country: z.string().nullable().describe('ISO 3166 country national numbers are read in.'),
    phoneNumber: z.string().nullable(),
    organisation: z.string(),
  })
  .meta({ id: 'PhoneAppProfile' });

const contactView = z.object({
  id: z.string(),
  displayName: z.string(),
  email: z.string(),
  phoneNumber: z.string().nullable(),
  extension: z.string().nullable(),
});

/** The Phone App tab's API: the signed-in user, the organisation's directory, placing a call. */
export function phoneAppTabRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['phone app tab'];
    const security = [{ teamsSso: [] }];
    app.get(
      '/phone-app/me',
      {
        schema: {
          tags,
          security,
          summary: 'The signed-in Phone App user',
          description: ssoNote,
          response: { 200: profileView, ...errorResponses },
        },
      },
      async (req) =>
        services.phoneAppUsers.profile(await services.phoneAppUsers.authenticate(req.headers.authorization)),
    );
    app.get(
      '/phone-app/directory',
      {
        schema: {
          tags,
          security,
          summary: "The organisation's directory (synced users of the Phone App user's service)",
          description: ssoNote,
          querystring: directoryQuery,
          response: { 200: z.object({ contacts: z.array(contactView) }), ...errorResponses },
        },
      },
      async (req) =>
        services.phoneAppUsers.directory(
          await services.phoneAppUsers.authenticate(req.headers.authorization),
          req.query,
        ),
    );
    app.post(
      '/phone-app/calls',
      {
        schema: {
          tags,
          security,
          summary:
            'Call a number from the Phone App (503 calls_unavailable until the call path is on this server)',
          description: ssoNote,
          body: placeCallInput,
          response: { 202: z.object({ callId: z.string() }), ...errorResponses, 503: errorBody },
        },
      },
      async (req) =>
        services.phoneAppUsers.placeCall(
          await services.phoneAppUsers.authenticate(req.headers.authorization),
          req.body,
        ),
    );
  };
}
