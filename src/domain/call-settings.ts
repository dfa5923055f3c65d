/**
 * The call settings of one voice service (issue 17), as stored and as the API shows them: how long a call rings,
 * how ringback and hold reach the other side, the Teams-versus-PBX voicemail race, and the limits. Whole seconds
 * and minutes here (what an administrator types); the B2BUA works in milliseconds (`callSettingsOf`).
 */
import { AppError } from './errors.js';

/** How a 183 that follows a 180 reaches the PBX (CALLS.md "Answers from Teams"): some PBXs stop ringback on it. */
export type RingbackProfile = 'pass-through' | 'first-18x-only' | '183-as-180';

/**
 * How the PBX's hold reaches Teams (Microsoft understands only `a=inactive`): `inactive` rewrites the PBX's hold
 * offer to `a=inactive` toward Teams; `music-from-pbx` answers the PBX's hold locally and keeps the Teams leg
 * sending and receiving, so the PBX's music on hold reaches the Teams user.
 */
export type HoldMode = 'inactive' | 'music-from-pbx';

export interface ServiceCallSettings {
  /** How long a call may ring before Callbridge gives up (CANCEL toward the callee, 480 toward the caller). */
  ringTimeoutSeconds: number;
  ringback: RingbackProfile;
  holdMode: HoldMode;
  /**
   * The voicemail race, first way: wait this long before ringing Teams on a call from the PBX, so that the PBX's
   * own no-answer handling (its voicemail) runs before Teams' call answering rules can pick up. 0: ring at once.
   */
  teamsRingDelaySeconds: number;
  /**
   * The voicemail race, second way: a call the PBX forwards on no answer (Diversion reason `no-answer`) goes to
   * the user's Teams voicemail (true) or is refused, so that the PBX's own voicemail takes it (false).
   */
  pbxNoAnswerToTeamsVoicemail: boolean;
  /** Calls one user may have at once (both directions); null: no limit. */
  maxCallsPerUser: number | null;
  /** Calls the whole service may have at once; null: no limit. */
  maxCallsPerService: number | null;
  /** Longest an answered call may last before Callbridge ends it (BYE both ways); null: no limit. */
  maxCallMinutes: number | null;
}

export const defaultServiceCallSettings: ServiceCallSettings = {
  ringTimeoutSeconds: 60,
  ringback: 'pass-through',
  holdMode: 'inactive',
  teamsRingDelaySeconds: 0,
  pbxNoAnswerToTeamsVoicemail: true,
  maxCallsPerUser: null,
  maxCallsPerService: null,
  maxCallMinutes: null,
};

/**
 * Checks across fields, after a change is merged into what is stored (each field alone is checked by the schema):
 * a refusal names the field and how to fix it.
 */
export function checkCallSettings(settings: ServiceCallSettings): void {
  const issues: { field: string; message: string }[] = [];
  if (settings.teamsRingDelaySeconds >= settings.ringTimeoutSeconds)
    issues.push({
      field: 'calls.teamsRingDelaySeconds',
      message: `must be shorter than the ring timeout (${settings.ringTimeoutSeconds} s), or Teams never rings`,
    });
  const { maxCallsPerUser: perUser, maxCallsPerService: perService } = settings;
  if (perUser !== null && perService !== null && perUser > perService)
    issues.push({
      field: 'calls.maxCallsPerUser',
      message: `must not exceed the service's limit (${perService} calls); raise maxCallsPerService or lower this`,
    });
  if (issues.length === 0) return;
  throw new AppError(
    'validation_failed',
    issues.map((issue) => `${issue.field} ${issue.message}.`).join(' '),
    { issues },
  );
}
