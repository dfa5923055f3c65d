import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { placeCallInput, recentCallsQuery } from '../../services/phone-app/phone-app-calls.service.js';
import { directoryQuery } from '../../services/phone-app/phone-app-user.service.js';
import { contactsQuery } from '../../services/phone-app/outlook-contacts.service.js';
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

const outlookContactView = z
  .object({
    id: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    phones: z.array(
      z.object({
        type: z.enum(['business', 'mobile', 'home']),
        display: z.string().describe('As written in Outlook.'),
        number: z
          .string()
          .nullable()
          .describe("+E.164 read in the user's country; null: not a phone number."),
      }),
    ),
  })
  .meta({ id: 'PhoneAppOutlookContact' });

const callParams = z.strictObject({ callId: z.string().uuid('a call id as answered by POST calls') });

const dialProgressView = z
  .object({
    callId: z.string(),
    number: z.string(),
    phase: z
      .enum(['calling-teams', 'connecting', 'ringing', 'answered', 'ended'])
      .describe(
        'calling-teams: your Teams rings; connecting: answered, calling the number; ringing; answered; ended',
      ),
    startedAt: z.string(),
    answeredAt: z.string().optional(),
    endedAt: z.string().optional(),
    result: z.string().optional(),
    failure: z
      .object({
        by: z.enum(['pbx', 'teams', 'callbridge']),
        code: z.string(),
        message: z.string(),
        status: z.number().int().optional(),
      })
      .optional(),
  })
  .meta({ id: 'PhoneAppCallProgress' });

const recentCallView = z.object({
  callId: z.string(),
  number: z.string(),
  direction: z.enum(['outgoing', 'incoming']),
  result: z.string(),
  startedAt: z.string(),
  durationSeconds: z.number().int(),
});

/** The Phone App tab's API: the signed-in user, the organisation's directory, calls (place, follow, hang up, recent). */
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
    const session = (authorization: string | undefined) => services.phoneAppUsers.authenticate(authorization);
    app.get(
      '/phone-app/contacts',
      {
        schema: {
          tags,
          security,
          summary: "The user's Outlook contacts with a phone number (Graph /me/contacts on their behalf)",
          description:
            `${ssoNote} The token is exchanged with Microsoft (on-behalf-of flow) for the user's Contacts.Read; ` +
            'contacts are read at each request and not kept. 403 `forbidden` with reason `consent_required` when ' +
            "the organisation's administrator has not granted Contacts.Read to the Phone App (the message names the step).",
          querystring: contactsQuery,
          response: {
            200: z.object({ contacts: z.array(outlookContactView) }),
            ...errorResponses,
            502: errorBody,
          },
        },
      },
      async (req) =>
        services.phoneAppContacts.list(
          await session(req.headers.authorization),
          req.headers.authorization,
          req.query,
        ),
    );
    app.post(
      '/phone-app/calls',
      {
        schema: {
          tags,
          security,
          summary: 'Call a number from the Phone App (click-to-dial)',
          description:
            `${ssoNote} Callbridge rings the user's Teams client through external access; when they answer, it ` +
            "calls the number through the PBX as the user. A national number is read in the user's country; 3-6 " +
            'digits not starting with 0 are a PBX extension. Follow the call at `GET calls/{callId}`. 503 `calls_unavailable` when this ' +
            'server does not bridge calls.',
          body: placeCallInput,
          response: {
            202: z.object({ callId: z.string(), number: z.string() }),
            ...errorResponses,
            503: errorBody,
          },
        },
      },
      async (req, reply) =>
        reply
          .code(202)
          .send(await services.phoneAppCalls.place(await session(req.headers.authorization), req.body)),
    );
    app.get(
      '/phone-app/calls',
      {
        schema: {
          tags,
          security,
          summary: "The user's recent calls, newest first (from the call records)",
          description: ssoNote,
          querystring: recentCallsQuery,
          response: { 200: z.object({ calls: z.array(recentCallView) }), ...errorResponses },
        },
      },
      async (req) => services.phoneAppCalls.recent(await session(req.headers.authorization), req.query),
    );
    app.get(
      '/phone-app/calls/:callId',
      {
        schema: {
          tags,
          security,
          summary: 'Where a call placed from the tab stands (poll about every second while it runs)',
          description: `${ssoNote} Any node answers: the node that placed the call keeps its progress in the database.`,
          params: callParams,
          response: { 200: dialProgressView, ...errorResponses },
        },
      },
      async (req) =>
        services.phoneAppCalls.progress(await session(req.headers.authorization), req.params.callId),
    );
    app.delete(
      '/phone-app/calls/:callId',
      {
        schema: {
          tags,
          security,
          summary: 'Hang up a call placed from the tab',
          description:
            `${ssoNote} Any node takes it: the node that holds the call ends it within a second. 404 when the ` +
            'call is not yours or no longer in progress.',
          params: callParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await services.phoneAppCalls.hangUp(await session(req.headers.authorization), req.params.callId);
        return reply.code(204).send(null);
      },
    );
  };
}
