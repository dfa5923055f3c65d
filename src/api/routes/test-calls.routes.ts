import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { adviceView } from '../../calls/records/call-records.schema.js';
import { TEST_CALLS_PER_MINUTE } from '../../calls/test-call/test-calls.service.js';
import { errorResponses } from './error-responses.js';

const userParams = z.object({ accountId: z.uuid(), userId: z.uuid() });

const testCallInput = z
  .object({
    seconds: z
      .number()
      .int()
      .min(1)
      .max(30)
      .optional()
      .describe('How long an answered test call plays its tone before hanging up (default 5).'),
  })
  .nullish()
  .describe('Optional: a POST without a body takes the defaults.');

export const testCallView = z.object({
  id: z.string(),
  accountId: z.string(),
  userId: z.string(),
  phase: z.enum(['calling', 'ringing', 'answered', 'ended']),
  result: z
    .enum(['answered', 'busy', 'declined', 'no-answer', 'failed'])
    .optional()
    .describe('Set once the call ended.'),
  finalStatus: z.number().optional().describe('The final SIP status the PBX side received.'),
  reason: z.string().optional(),
  startedAt: z.string(),
  answeredAt: z.string().optional(),
  endedAt: z.string().optional(),
  audio: z
    .object({ sent: z.number(), received: z.number() })
    .optional()
    .describe('RTP packets of the tone sent, and of audio received back, while answered.'),
  callRecordId: z.string().optional().describe('The call in the call log (GET .../calls/{callId}).'),
  advice: adviceView.nullable().optional().describe("The call record's failure advice."),
});

/** "Test call" on the user page (issue 17): ring the user's Teams client from the PBX side, then read the result. */
export function testCallRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['users'];
    app.post(
      '/accounts/:accountId/users/:userId/test-call',
      {
        schema: {
          tags,
          summary: "Ring the user's Teams client from the PBX side with a tone",
          description:
            `Answers 202 at once with the test call in phase \`calling\`; read its progress with GET .../test-calls/{id}. ` +
            `One test call per user at a time (409) and ${TEST_CALLS_PER_MINUTE} per account a minute (429 with ` +
            '`retryAfterSeconds`); 503 `calls_unavailable` when this server does not run the sip role with the Teams edge.',
          params: userParams,
          body: testCallInput,
          response: { 202: testCallView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(202)
          .send(
            await services.testCalls.start(
              req.actor,
              req.params.accountId,
              req.params.userId,
              req.body ?? {},
            ),
          ),
    );
    app.get(
      '/accounts/:accountId/users/:userId/test-calls/:testCallId',
      {
        schema: {
          tags,
          summary: 'A test call: its progress, then its result with the call record and its failure advice',
          params: userParams.extend({ testCallId: z.uuid() }),
          response: { 200: testCallView, ...errorResponses },
        },
      },
      async (req) =>
        services.testCalls.get(req.actor, req.params.accountId, req.params.userId, req.params.testCallId),
    );
  };
}
