import { deflateRaw, inflateRaw, inflateRawSync } from 'node:zlib';
import type { LadderEntry } from './call-record.types.js';

/** One message as captured: its time, leg, direction and bytes (a one-byte string: see `call-ladder.ts`). */
export interface Captured {
  atMs: number;
  leg: LadderEntry['leg'];
  direction: 'in' | 'out';
  bytes: string;
}

/**
 * Messages of one call deflated together (an answered call's ladder while the call is up): the bytes of all of them
 * in one raw-deflate stream held as a one-byte string, and per message its time and a code (length, leg, direction)
 * in a plain array of numbers. A held call's ladder (about 14 messages, 6 KB of text) shrinks to about a quarter:
 * the two legs repeat each other's SDP and the messages of one leg their Via, From, To and Call-ID.
 */
export interface PackedMessages {
  readonly count: number;
  /** Per message: capture time, then `length * 4 + (leg === 'teams' ? 2 : 0) + (direction === 'out' ? 1 : 0)`. */
  readonly meta: readonly number[];
  readonly data: string;
}

/**
 * Text that SIP messages and their SDP are made of, as deflate's preset dictionary: the first message of a call then
 * compresses as well as the later ones. In memory only (never stored), so it may change between versions.
 */
const DICTIONARY = Buffer.from(
  [
    'a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=rtcp-mux\r\na=sendrecv\r\na=ptime:20\r\n',
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:',
    'a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\nm=audio ',
    ' RTP/SAVP 0 8 101\r\n RTP/AVP 0 8 101\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\ns=-\r\nv=0\r\no=- ',
    'Content-Type: application/sdp\r\nContent-Length: ',
    'Session-Expires: 1800;refresher=uac\r\nMin-SE: 90\r\nSupported: timer\r\nRequire: timer\r\n',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE\r\n',
    'User-Agent: Callbridge\r\nServer: Callbridge\r\nMax-Forwards: 70\r\n',
    'Record-Route: <sip:',
    ';transport=tls;lr>\r\n;transport=tcp;lr>\r\n;lr>\r\n',
    'sip.pstnhub.microsoft.com:5061;transport=tls',
    'Contact: <sip:',
    ';rport;received=127.0.0.1\r\n',
    'Via: SIP/2.0/TLS ',
    'Via: SIP/2.0/UDP 127.0.0.1:',
    ';branch=z9hG4bK',
    'CSeq: 1 ACK\r\nCSeq: 2 BYE\r\nCSeq: 1 INVITE\r\n',
    'Call-ID: ',
    'P-Asserted-Identity: <sip:+',
    'From: <sip:+',
    ';user=phone>;tag=',
    'To: <sip:+',
    'SIP/2.0 100 Trying\r\nSIP/2.0 180 Ringing\r\nSIP/2.0 183 Session Progress\r\nSIP/2.0 200 OK\r\n',
    'ACK sip:',
    'INVITE sip:',
  ].join(''),
  'latin1',
);

/** Small messages, a short ladder: an 8 KiB window and less state than zlib's defaults, the same ratio here. */
const OPTIONS = { dictionary: DICTIONARY, level: 6, memLevel: 5, windowBits: 13 } as const;

/**
 * Deflate `earlier` (a previous pack, if any) and `messages` into one pack. On the libuv thread pool (the
 * asynchronous zlib calls): packing runs for every answered call and stays off the event loop.
 */
export async function packMessages(
  earlier: PackedMessages | undefined,
  messages: readonly Captured[],
): Promise<PackedMessages> {
  const before = earlier
    ? (await zlib(inflateRaw, Buffer.from(earlier.data, 'latin1'))).toString('latin1')
    : '';
  const meta = earlier ? [...earlier.meta] : [];
  for (const m of messages)
    meta.push(m.atMs, m.bytes.length * 4 + (m.leg === 'teams' ? 2 : 0) + (m.direction === 'out' ? 1 : 0));
  const text = before + messages.map((m) => m.bytes).join('');
  const data = (await zlib(deflateRaw, Buffer.from(text, 'latin1'))).toString('latin1');
  return { count: (earlier?.count ?? 0) + messages.length, meta, data };
}

/** The messages of a pack, in order: their bytes are inflated once, when the first of them is read. */
export function unpackMessages(packed: PackedMessages): PackedSlice[] {
  const text = new PackedText(packed.data);
  const slices: PackedSlice[] = [];
  let offset = 0;
  for (let i = 0; i < packed.count; i++) {
    const atMs = packed.meta[2 * i]!;
    const code = packed.meta[2 * i + 1]!;
    const length = Math.floor(code / 4);
    slices.push({
      atMs,
      leg: code & 2 ? 'teams' : 'pbx',
      direction: code & 1 ? 'out' : 'in',
      bytes: new PackedBytes(text, offset, length),
    });
    offset += length;
  }
  return slices;
}

/** A packed message: its bytes read from the inflated pack. */
export type PackedSlice = Omit<Captured, 'bytes'> & { bytes: PackedBytes };

/** One message's bytes inside an inflated pack. */
export class PackedBytes {
  constructor(
    private readonly pack: PackedText,
    private readonly start: number,
    private readonly length: number,
  ) {}

  toString(): string {
    return this.pack.text().slice(this.start, this.start + this.length);
  }
}

/**
 * A pack's text, inflated on first read. Synchronously: it is read once per kept ladder (failed calls, users under
 * capture, HEP export), a couple of kilobytes, where the reader (the recorder) needs the text at once.
 */
class PackedText {
  private inflated: string | undefined;

  constructor(private readonly data: string) {}

  text(): string {
    return (this.inflated ??= inflateRawSync(Buffer.from(this.data, 'latin1'), OPTIONS).toString('latin1'));
  }
}

type ZlibCall = (
  input: Buffer,
  options: typeof OPTIONS,
  done: (error: Error | null, result: Buffer) => void,
) => void;

function zlib(call: ZlibCall, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    call(input, OPTIONS, (error, result) => (error ? reject(error) : resolve(result))),
  );
}
