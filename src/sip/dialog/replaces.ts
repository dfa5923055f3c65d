import type { SipRequest } from '../message/sip-message.js';
import type { CallEndpoint } from './call.endpoint.js';
import { dialogKey, tagOf, type Dialog } from './dialog.js';
import type { OutgoingCall } from './outgoing-call.js';

/** A parsed Replaces header (RFC 3891 section 6.1). */
export interface ReplacesTarget {
  callId: string;
  /** Our tag in the dialog to replace (compared with the local tag, as a To-tag of an incoming request). */
  toTag: string;
  /** The peer's tag in it (compared with the remote tag). */
  fromTag: string;
  /** Replace only a dialog still early: a confirmed one gets 486. */
  earlyOnly: boolean;
}

/**
 * `425845@host;to-tag=7743;from-tag=6472;early-only` -> its parts; undefined when the Call-ID or a tag is
 * missing. Parameter names are case-insensitive; the Call-ID is compared byte for byte (RFC 3261 20.8).
 */
export function parseReplaces(value: string): ReplacesTarget | undefined {
  const [callId, ...params] = value.split(';').map((part) => part.trim());
  const named = new Map<string, string>();
  for (const param of params) {
    const at = param.indexOf('=');
    named.set((at < 0 ? param : param.slice(0, at)).toLowerCase(), at < 0 ? '' : param.slice(at + 1));
  }
  const toTag = named.get('to-tag');
  const fromTag = named.get('from-tag');
  if (!callId || !toTag || !fromTag) return undefined;
  return { callId, toTag, fromTag, earlyOnly: named.has('early-only') };
}

/** What an INVITE with Replaces names: a dialog to replace (with the early call to cancel), or a refusal. */
export type ReplacesMatch =
  | { kind: 'found'; dialog: Dialog; early: OutgoingCall | undefined }
  | { kind: 'refused'; status: 400 | 481 | 486; why: string };

/**
 * Find the dialog an INVITE with Replaces names (RFC 3891 section 3): a confirmed dialog of ours, or an early
 * dialog of a call we placed (to be cancelled once the new call is accepted). An early dialog of a call we are
 * answering, or none at all: 481. `early-only` and a confirmed dialog: 486. Several Replaces or a broken one: 400.
 *
 * @example const match = findReplaced(endpoint, invite); if (match.kind === 'found') swap(match.dialog);
 */
export function findReplaced(endpoint: CallEndpoint, request: SipRequest): ReplacesMatch {
  const values = request.headers.getAll('Replaces');
  if (values.length !== 1) return { kind: 'refused', status: 400, why: 'more than one Replaces' };
  const target = parseReplaces(values[0]!);
  if (!target) return { kind: 'refused', status: 400, why: 'malformed Replaces' };
  const confirmed = endpoint.dialogs.get(dialogKey(target.callId, target.toTag, target.fromTag));
  if (confirmed && confirmed.state === 'confirmed') {
    if (target.earlyOnly)
      return { kind: 'refused', status: 486, why: 'early-only, and the dialog is confirmed' };
    return { kind: 'found', dialog: confirmed, early: undefined };
  }
  for (const call of endpoint.outgoingCalls()) {
    if (call.dialog || call.request.headers.get('Call-ID') !== target.callId) continue;
    if (tagOf(call.request.headers.get('From')) !== target.toTag) continue;
    const early = call.earlyDialogs.get(target.fromTag);
    if (early && early.state === 'early') return { kind: 'found', dialog: early, early: call };
  }
  return { kind: 'refused', status: 481, why: 'no such dialog' };
}
