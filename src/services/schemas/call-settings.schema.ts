import { z } from 'zod';

/**
 * A voice service's call settings in the API (issue 17; `ServiceCallSettings`). Each field alone is checked here;
 * checks across fields (the ring delay under the ring timeout, a user's limit within the service's) run after a
 * change is merged into what is stored (`checkCallSettings`).
 */
const limit = (what: string, max: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1 (send null for no limit)')
    .max(max, `must be at most ${max}`)
    .nullable()
    .describe(`${what}; null: no limit.`);

export const callSettingsFields = {
  ringTimeoutSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(5, 'must be at least 5 seconds')
    .max(600, 'must be at most 600 seconds')
    .describe('How long a call rings before Callbridge gives up (the caller hears 480).'),
  ringback: z
    .enum(['pass-through', 'first-18x-only', '183-as-180'])
    .describe(
      'How Teams’ 183 after a 180 reaches the PBX: pass each through, forward the first only, or turn 183 into 180.',
    ),
  holdMode: z
    .enum(['inactive', 'music-from-pbx'])
    .describe(
      'The PBX’s hold toward Teams: as a=inactive, or answered locally so the PBX’s music reaches the Teams user.',
    ),
  teamsRingDelaySeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must be 0 (ring at once) or more')
    .max(120, 'must be at most 120 seconds')
    .describe('Wait before ringing Teams on a call from the PBX, so the PBX’s voicemail wins the race.'),
  pbxNoAnswerToTeamsVoicemail: z
    .boolean()
    .describe(
      'A call the PBX forwards on no answer goes to the Teams voicemail (true) or back to the PBX (false).',
    ),
  maxCallsPerUser: limit('Calls one user may have at once', 100),
  maxCallsPerService: limit('Calls the whole service may have at once', 100_000),
  maxCallMinutes: limit('Longest an answered call may last, in minutes', 1440),
};

/** Call settings sent to create or change a service: any subset; the rest stays as it is (or the default). */
export const callSettingsInput = z
  .strictObject(callSettingsFields)
  .partial()
  .describe('Call settings to change; fields left out keep their value.');

export const callSettingsView = z.object(callSettingsFields).meta({ id: 'ServiceCallSettings' });
