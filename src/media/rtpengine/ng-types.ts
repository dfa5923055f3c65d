import { MediaError } from '../media-error.js';
import type { BencodeDict, BencodeValue } from './bencode.js';

/** Where rtpengine listens for ng commands. */
export interface NgTarget {
  host: string;
  port: number;
}

/** The ng commands this client sends. */
export type NgCommand =
  | 'ping'
  | 'offer'
  | 'answer'
  | 'delete'
  | 'query'
  | 'block media'
  | 'unblock media'
  | 'silence media'
  | 'unsilence media';

/**
 * The keys of `block media` / `unblock media` / `silence media` / `unsilence media` (rtpengine 10.5's
 * call_interfaces.c, `media_block_match`): with `from-tag`, only the media that party sends is blocked (or
 * silenced); without it the whole call. `flags: ['all']` on an unblock also lifts the per-party blocks.
 */
export type NgBlockParams = NgQueryParams | NgPartyParams;

/** A call and one party of it, by its tag. */
export interface NgPartyParams extends BencodeDict {
  'call-id': string;
  'from-tag': string;
}

/** The keys of an offer (and, with `to-tag`, an answer) that the relay sets; see docs/ng_control_protocol.md. */
export interface NgOfferParams extends BencodeDict {
  'call-id': string;
  'from-tag': string;
  sdp: string;
}

/** The keys naming a call (and optionally one side of it) in `query` and `delete`. */
export interface NgQueryParams extends BencodeDict {
  'call-id': string;
}

/** A reply dictionary: `result` is `ok`, `pong` (or `error`, which the client turns into a MediaError). */
export interface NgReply extends BencodeDict {
  result: string;
}

/** An offer's or answer's reply, with its rewritten SDP. */
export interface NgAnswer extends NgReply {
  sdp: string;
}

/** Reads a bencoded dictionary from a reply field, or undefined. */
export function dictAt(value: BencodeValue | undefined): BencodeDict | undefined {
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** Reads a bencoded list from a reply field, or an empty one. */
export function listAt(value: BencodeValue | undefined): BencodeValue[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Parses `udp:host:port` (the form of `CALLBRIDGE_RTPENGINE`; `[v6]` in brackets). Throws a MediaError saying the
 * expected form when it is anything else.
 */
export function parseNgTarget(text: string): NgTarget {
  const match = /^udp:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new MediaError(
      'relay_unavailable',
      `The rtpengine address "${text}" is not of the form udp:host:port (e.g. udp:127.0.0.1:22222).`,
      { value: text },
    );
  }
  return { host: match[1] ?? match[2] ?? '', port };
}
