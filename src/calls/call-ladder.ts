import type { CallEndpointOptions } from '../sip/dialog/endpoint.types.js';
import { serializeMessage } from '../sip/message/message.serializer.js';
import type { SipMessage } from '../sip/message/sip-message.js';
import type { LadderEntry } from './call-record.types.js';
import {
  packMessages,
  unpackMessages,
  type Captured,
  type PackedBytes,
  type PackedMessages,
} from './ladder-packing.js';

/** Messages kept per call: a normal call has about 15; a call with a thousand session refreshes keeps its start. */
const MAX_ENTRIES = 200;
/**
 * How long after the answer `packSoon` packs a ladder: ACKs answering a retransmitted 2xx come first, and calls
 * shorter than this (most of a busy hour's) are never packed at all.
 */
const PACK_AFTER_MS = 5000;
/** Messages captured after a pack (re-INVITEs, session refreshes) that are packed in with it again. */
const REPACK_AFTER = 16;

/**
 * One call's messages (a Call-ID's). Each message is captured as its bytes in a one-byte string (latin1 holds
 * UTF-8 bytes unchanged, at one byte a character in V8's heap, without the 8 KiB pool slab a small Buffer slice
 * would keep alive). Once the call is answered `pack` deflates them together (`ladder-packing.ts`): `packed`, and
 * `packing` while that runs; later messages gather in `recent`.
 */
interface Ladder {
  recent: Captured[];
  packing: Captured[] | undefined;
  packed: PackedMessages | undefined;
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
  private readonly ladders = new Map<string, Ladder>();
  /** Call-IDs `packSoon` will pack, oldest first, with one timer for all of them. */
  private readonly due: { id: string; at: number }[] = [];
  private packTimer: NodeJS.Timeout | undefined;

  /** Start keeping the messages of one SIP Call-ID. */
  watch(sipCallId: string): void {
    if (!this.ladders.has(sipCallId))
      this.ladders.set(sipCallId, { recent: [], packing: undefined, packed: undefined });
  }

  /**
   * Deflate a Call-ID's messages so far (the call was answered: a held call keeps its ladder packed). Nothing is
   * lost: `take` reads packed, packing and recent messages alike, in order; a pack that fails leaves them as they were.
   * Resolves once packed (callers need not wait).
   */
  pack(sipCallId: string): Promise<void> {
    const ladder = this.ladders.get(sipCallId);
    if (!ladder || ladder.packing || ladder.recent.length === 0) return Promise.resolve();
    const packing = (ladder.packing = ladder.recent);
    ladder.recent = [];
    return packMessages(ladder.packed, packing).then(
      (packed) => {
        ladder.packed = packed;
        ladder.packing = undefined;
      },
      () => {
        ladder.recent = [...packing, ...ladder.recent];
        ladder.packing = undefined;
      },
    );
  }

  /** Pack a Call-ID's ladder `PACK_AFTER_MS` from now (if it is still watched then). */
  packSoon(sipCallId: string): void {
    this.due.push({ id: sipCallId, at: Date.now() + PACK_AFTER_MS });
    this.packTimer ??= setTimeout(() => this.packDue(), PACK_AFTER_MS).unref();
  }

  /** Stop keeping a Call-ID and hand back what was kept (entries with their secrets removed). */
  take(sipCallId: string): TimedLadderEntry[] {
    const ladder = this.ladders.get(sipCallId);
    if (!ladder) return [];
    this.ladders.delete(sipCallId);
    const all = [
      ...(ladder.packed ? unpackMessages(ladder.packed) : []),
      ...(ladder.packing ?? []),
      ...ladder.recent,
    ];
    return all.map((c) => new CapturedEntry(c.atMs, c.leg, c.direction, c.bytes));
  }

  /** Calls watched now. */
  get size(): number {
    return this.ladders.size;
  }

  /** A message that arrived on a leg (parsed: the Call-ID is at hand). */
  received(leg: LadderEntry['leg'], message: SipMessage): void {
    if (this.ladders.size === 0) return;
    const id = message.headers.get('Call-ID') ?? '';
    const ladder = this.ladders.get(id);
    if (ladder && this.push(ladder, leg, 'in', serializeMessage(message))) void this.pack(id);
  }

  /** A message that left on a leg (bytes: its Call-ID is read only while some call is watched). */
  sent(leg: LadderEntry['leg'], data: Buffer): void {
    if (this.ladders.size === 0) return;
    const id = callIdOf(data);
    const ladder = this.ladders.get(id);
    if (ladder && this.push(ladder, leg, 'out', data)) void this.pack(id);
  }

  /** The call endpoint's `capture` hook for one leg. */
  capture(leg: LadderEntry['leg']): NonNullable<CallEndpointOptions['capture']> {
    return (direction, message) =>
      Buffer.isBuffer(message) ? this.sent(leg, message) : this.received(leg, message);
  }

  private packDue(): void {
    this.packTimer = undefined;
    const now = Date.now();
    let done = 0;
    while (done < this.due.length && this.due[done]!.at <= now) void this.pack(this.due[done++]!.id);
    this.due.splice(0, done);
    const next = this.due[0];
    if (next) this.packTimer = setTimeout(() => this.packDue(), Math.max(1, next.at - now)).unref();
  }

  /** Keep one message; true when the ladder, packed before, has gathered enough since to be packed again. */
  private push(ladder: Ladder, leg: LadderEntry['leg'], direction: 'in' | 'out', data: Buffer): boolean {
    const entries = ladder.recent;
    const count = (ladder.packed?.count ?? 0) + (ladder.packing?.length ?? 0) + entries.length;
    if (count >= MAX_ENTRIES) return false;
    let bytes = data.toString('latin1');
    // A retransmission (our 2xx until the ACK comes, the ACKs answering them) is the same text again: its entry
    // shares the first copy's string, so a call on a slow network holds each message once.
    for (let i = entries.length - 1; i >= Math.max(0, entries.length - 8); i--)
      if (entries[i]!.bytes === bytes) {
        bytes = entries[i]!.bytes;
        break;
      }
    entries.push({ atMs: Date.now(), leg, direction, bytes });
    return ladder.packed !== undefined && entries.length >= REPACK_AFTER;
  }
}

/** A ladder entry with its capture time in milliseconds, to order the two legs' entries without parsing `at`. */
export type TimedLadderEntry = LadderEntry & { readonly atMs: number };

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
    /** The message's bytes (latin1), or where they are in an inflated pack. */
    private readonly bytes: string | PackedBytes,
  ) {}

  get at(): string {
    return new Date(this.atMs).toISOString();
  }

  get text(): string {
    return (this.clean ??= redactSip(Buffer.from(this.bytes.toString(), 'latin1').toString('utf8')));
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
