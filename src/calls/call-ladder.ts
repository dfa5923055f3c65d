import type { CallEndpointOptions } from '../sip/dialog/endpoint.types.js';
import { serializeMessage } from '../sip/message/message.serializer.js';
import type { SipMessage } from '../sip/message/sip-message.js';
import type { LadderEntry } from './call-record.types.js';

/** Messages kept per call: a normal call has about 15; a call with a thousand session refreshes keeps its start. */
const MAX_ENTRIES = 200;

/**
 * The raw SIP messages of the calls in progress, per leg and direction, for the call record's ladder. Secrets are
 * removed as a message is captured (digest answers, SRTP keys, Microsoft's transfer tokens), so nothing written to
 * a record can leak them. Only calls that are being watched cost anything: other messages are one map lookup.
 *
 * @example const ladders = new CallLadders(); endpoint.options.capture = ladders.capture('pbx'); ladders.watch(id);
 */
export class CallLadders {
  private readonly ladders = new Map<string, LadderEntry[]>();

  /** Start keeping the messages of one SIP Call-ID. */
  watch(sipCallId: string): void {
    if (!this.ladders.has(sipCallId)) this.ladders.set(sipCallId, []);
  }

  /** Stop keeping a Call-ID and hand back what was kept. */
  take(sipCallId: string): LadderEntry[] {
    const entries = this.ladders.get(sipCallId) ?? [];
    this.ladders.delete(sipCallId);
    return entries;
  }

  /** Calls watched now. */
  get size(): number {
    return this.ladders.size;
  }

  /** A message that arrived on a leg (parsed: the Call-ID is at hand). */
  received(leg: LadderEntry['leg'], message: SipMessage): void {
    if (this.ladders.size === 0) return;
    const entries = this.ladders.get(message.headers.get('Call-ID') ?? '');
    if (entries) push(entries, leg, 'in', serializeMessage(message).toString('utf8'));
  }

  /** A message that left on a leg (bytes: its Call-ID is read only while some call is watched). */
  sent(leg: LadderEntry['leg'], data: Buffer): void {
    if (this.ladders.size === 0) return;
    const text = data.toString('utf8');
    const entries = this.ladders.get(callIdOf(text));
    if (entries) push(entries, leg, 'out', text);
  }

  /** The call endpoint's `capture` hook for one leg. */
  capture(leg: LadderEntry['leg']): NonNullable<CallEndpointOptions['capture']> {
    return (direction, message) =>
      Buffer.isBuffer(message) ? this.sent(leg, message) : this.received(leg, message);
  }
}

function push(entries: LadderEntry[], leg: LadderEntry['leg'], direction: 'in' | 'out', text: string): void {
  if (entries.length >= MAX_ENTRIES) return;
  const clean = redactSip(text);
  const summary = clean.slice(0, Math.max(0, clean.indexOf('\r\n'))) || clean.slice(0, 80);
  entries.push({ at: new Date().toISOString(), leg, direction, summary, text: clean });
}

/** The Call-ID of serialized message text ('' when absent); `i` is its compact form. */
function callIdOf(text: string): string {
  const match = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(text);
  return match?.[1] ?? '';
}

/**
 * A SIP message without its secrets: digest answers (Authorization, Proxy-Authorization), SDES keys
 * (`a=crypto:... inline:<key>`) and Microsoft's transfer tokens (`x-tt=`).
 *
 * @example redactSip('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc|2^31') // 'a=crypto:1 ... inline:[removed]'
 */
export function redactSip(text: string): string {
  return text
    .replace(/^((?:proxy-)?authorization[ \t]*:[ \t]*)(.*)$/gim, (_m, name: string, value: string) => {
      const user = /username="([^"]*)"/i.exec(value)?.[1];
      return `${name}Digest ${user === undefined ? '' : `username="${user}", `}[removed]`;
    })
    .replace(/(inline:)[^\s|]+/gi, '$1[removed]')
    .replace(/(x-tt=)[^;>\s,]+/gi, '$1[removed]');
}
