import type { CallEndpointOptions } from '../sip/dialog/endpoint.types.js';
import { serializeMessage } from '../sip/message/message.serializer.js';
import type { SipMessage } from '../sip/message/sip-message.js';
import type { LadderEntry } from './call-record.types.js';

/** Messages kept per call: a normal call has about 15; a call with a thousand session refreshes keeps its start. */
const MAX_ENTRIES = 200;

/**
 * One message as captured: its time and its bytes as a one-byte string (latin1 holds UTF-8 bytes unchanged,
 * at one byte a character in V8's heap, without the 8 KiB pool slab a small Buffer slice would keep alive).
 */
interface Captured {
  atMs: number;
  leg: LadderEntry['leg'];
  direction: 'in' | 'out';
  bytes: string;
}

/**
 * The raw SIP messages of the calls in progress, per leg and direction, for the call record's ladder. Capturing is
 * cheap on purpose (it runs for every message of every call): a timestamp and the bytes. The text, its first line
 * and the removal of secrets (digest answers, SRTP keys, Microsoft's transfer tokens) are computed when a ladder
 * entry is read (`take`'s entries compute them once, on first read; read them by name or as JSON), so a call whose ladder is never stored (most
 * answered calls: the recorder keeps failed calls' and captured users') never pays for them, and nothing read from a
 * ladder can leak a secret. Other messages than watched calls' are one map lookup.
 *
 * @example const ladders = new CallLadders(); endpoint.options.capture = ladders.capture('pbx'); ladders.watch(id);
 */
export class CallLadders {
  private readonly ladders = new Map<string, Captured[]>();

  /** Start keeping the messages of one SIP Call-ID. */
  watch(sipCallId: string): void {
    if (!this.ladders.has(sipCallId)) this.ladders.set(sipCallId, []);
  }

  /** Stop keeping a Call-ID and hand back what was kept (entries with their secrets removed). */
  take(sipCallId: string): TimedLadderEntry[] {
    const captured = this.ladders.get(sipCallId) ?? [];
    this.ladders.delete(sipCallId);
    return captured.map((c) => new CapturedEntry(c.atMs, c.leg, c.direction, c.bytes));
  }

  /** Calls watched now. */
  get size(): number {
    return this.ladders.size;
  }

  /** A message that arrived on a leg (parsed: the Call-ID is at hand). */
  received(leg: LadderEntry['leg'], message: SipMessage): void {
    if (this.ladders.size === 0) return;
    const entries = this.ladders.get(message.headers.get('Call-ID') ?? '');
    if (entries) push(entries, leg, 'in', serializeMessage(message));
  }

  /** A message that left on a leg (bytes: its Call-ID is read only while some call is watched). */
  sent(leg: LadderEntry['leg'], data: Buffer): void {
    if (this.ladders.size === 0) return;
    const entries = this.ladders.get(callIdOf(data));
    if (entries) push(entries, leg, 'out', data);
  }

  /** The call endpoint's `capture` hook for one leg. */
  capture(leg: LadderEntry['leg']): NonNullable<CallEndpointOptions['capture']> {
    return (direction, message) =>
      Buffer.isBuffer(message) ? this.sent(leg, message) : this.received(leg, message);
  }
}

/** A ladder entry with its capture time in milliseconds, to order the two legs' entries without parsing `at`. */
export type TimedLadderEntry = LadderEntry & { readonly atMs: number };

function push(entries: Captured[], leg: LadderEntry['leg'], direction: 'in' | 'out', data: Buffer): void {
  if (entries.length >= MAX_ENTRIES) return;
  let bytes = data.toString('latin1');
  // A retransmission (our 2xx until the ACK comes, the ACKs answering them) is the same text again: its entry
  // shares the first copy's string, so a call on a slow network holds each message once.
  for (let i = entries.length - 1; i >= Math.max(0, entries.length - 8); i--)
    if (entries[i]!.bytes === bytes) {
      bytes = entries[i]!.bytes;
      break;
    }
  entries.push({ atMs: Date.now(), leg, direction, bytes });
}

/**
 * The entry of a captured message: its text (secrets removed), first line and time are computed on first read. A
 * class with getters, not an object literal with its own: creating those was slower than the redaction it defers
 * (measured: 14 entries per call). `toJSON` writes the plain fields.
 */
class CapturedEntry implements TimedLadderEntry {
  private clean: string | undefined;

  constructor(
    readonly atMs: number,
    readonly leg: LadderEntry['leg'],
    readonly direction: 'in' | 'out',
    private readonly bytes: string,
  ) {}

  get at(): string {
    return new Date(this.atMs).toISOString();
  }

  get text(): string {
    return (this.clean ??= redactSip(Buffer.from(this.bytes, 'latin1').toString('utf8')));
  }

  get summary(): string {
    const all = this.text;
    return all.slice(0, Math.max(0, all.indexOf('\r\n'))) || all.slice(0, 80);
  }

  toJSON(): LadderEntry {
    return { at: this.at, leg: this.leg, direction: this.direction, summary: this.summary, text: this.text };
  }
}

/**
 * The Call-ID of serialized message bytes ('' when absent). Our serializer writes `Call-ID:`, found without decoding
 * the message; other spellings (any case, the compact `i`) are read from the text.
 */
function callIdOf(data: Buffer): string {
  const at = data.indexOf(CALL_ID);
  if (at >= 0) {
    const start = at + CALL_ID.length;
    const end = data.indexOf(CRLF, start);
    return data.toString('latin1', start, end < 0 ? data.length : end).trim();
  }
  const match = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(data.toString('latin1'));
  return match?.[1] ?? '';
}

const CALL_ID = Buffer.from('\r\nCall-ID:');
const CRLF = Buffer.from('\r\n');

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
