/**
 * Caller IDs of SIP trunk users: the number shown on a user's outbound calls is their own number or one of the
 * trunk's service numbers (shared caller IDs such as the main number); null shows their own. A PBX presents its
 * own caller ID, so PBX users have none here.
 */
import { allowed, listSome, refuseRule, type NumberRuleCheck } from './number-check.js';
import type { NumberServiceKind } from './number-type.js';

/** What a caller ID is judged against. */
export interface CallerIdContext {
  serviceKind: NumberServiceKind;
  /** The user's own number (E.164) after the change; null when they have none. */
  ownNumber: string | null;
  /** The service numbers of the user's trunk service (E.164). */
  serviceNumbers: ReadonlySet<string>;
}

/**
 * A caller ID must be the user's own number or a service number of their trunk service.
 * @example checkCallerId('+441235123400', { serviceKind: 'trunk', ownNumber: '+441235123465', serviceNumbers: new Set(['+441235123400']) }) // allowed
 */
export function checkCallerId(callerId: string, context: CallerIdContext): NumberRuleCheck {
  if (context.serviceKind === 'pbx') {
    return refuseRule(
      'validation_failed',
      'A caller ID can be set only for users of a SIP trunk service; on a PBX service the PBX presents the ' +
        'caller ID. Leave callerId empty.',
      { field: 'callerId' },
    );
  }
  if (callerId === context.ownNumber || context.serviceNumbers.has(callerId)) return allowed;
  const numbers = [...context.serviceNumbers].sort();
  const offered =
    numbers.length === 0
      ? 'The service has no service numbers yet'
      : `The service numbers are ${listSome(numbers, 5)}`;
  return refuseRule(
    'validation_failed',
    `The caller ID ${callerId} is neither the user's own number${context.ownNumber ? ` (${context.ownNumber})` : ''} ` +
      `nor a service number of this trunk. ${offered}. Add it as a service number first, or leave the caller ID ` +
      "empty to show the user's own number.",
    { field: 'callerId' },
  );
}

/**
 * The caller ID after the user's number changes: a caller ID that was the user's own number follows it (or goes
 * when the number is removed); a service number stays.
 * @example callerIdAfterNumberChange('+441235123401', '+441235123401', '+441235123402') // '+441235123402'
 * @example callerIdAfterNumberChange('+441235123400', '+441235123401', '+441235123402') // '+441235123400'
 */
export function callerIdAfterNumberChange(
  callerId: string | null,
  previousNumber: string | null,
  nextNumber: string | null,
): string | null {
  if (callerId === null || callerId !== previousNumber) return callerId;
  return nextNumber;
}
