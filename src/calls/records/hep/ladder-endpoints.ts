/**
 * Where each message of a ladder went from and to, for Homer. The B2BUA's ladder keeps the messages, not the
 * sockets, so the addresses are read back from the messages' top Via, which RFC 3261 makes say where a request
 * came from (sent-by, corrected by `received` and `rport` when the receiver added them), and which a response
 * carries back unchanged:
 *
 * - a request we sent and a response we received carry our own Via: that leg's local address;
 * - a request we received and a response we sent carry the peer's Via: that leg's remote address.
 *
 * Each leg's two ends are learnt from the whole ladder, then every message gets local -> remote (out) or
 * remote -> local (in). An end given by name rather than address stays unknown (0.0.0.0, port 0): HEP carries
 * addresses only.
 */
import { isIP } from 'node:net';
import type { LadderEntry } from '../../call-record.types.js';

export interface Endpoint {
  address: string;
  port: number;
}

export interface LadderHop {
  source: Endpoint;
  destination: Endpoint;
  transport: 'udp' | 'tcp';
}

const UNKNOWN: Endpoint = { address: '0.0.0.0', port: 0 };

interface TopVia {
  transport: 'udp' | 'tcp';
  endpoint: Endpoint | undefined;
}

/** The top Via of a message: its transport and the address it names (`received`/`rport` first). */
export function topViaOf(text: string): TopVia | undefined {
  const via = /^(?:via|v)[ \t]*:[ \t]*SIP\/2\.0\/([A-Za-z]+)[ \t]+([^;,\r\n]+)([^,\r\n]*)/im.exec(text);
  if (!via) return undefined;
  const transport = via[1]!.toUpperCase() === 'UDP' ? 'udp' : 'tcp';
  const sentBy = /^\[([^\]]+)\](?::(\d+))?$|^([^:]+)(?::(\d+))?$/.exec(via[2]!.trim());
  const params = via[3] ?? '';
  const received = /;received=([^;\s]+)/i.exec(params)?.[1];
  const rport = /;rport=(\d+)/i.exec(params)?.[1];
  const host = received ?? sentBy?.[1] ?? sentBy?.[3] ?? '';
  const defaultPort = via[1]!.toUpperCase() === 'TLS' ? 5061 : 5060;
  const port = Number(rport ?? sentBy?.[2] ?? sentBy?.[4] ?? defaultPort);
  return { transport, endpoint: isIP(host) ? { address: host, port } : undefined };
}

const isResponse = (entry: LadderEntry) => entry.summary.startsWith('SIP/2.0 ');

/** Each entry's source, destination and transport, in ladder order. */
export function ladderHops(entries: readonly LadderEntry[]): LadderHop[] {
  const ends = new Map<string, { local?: Endpoint; remote?: Endpoint }>();
  const vias = entries.map((entry) => {
    const via = topViaOf(entry.text);
    const leg = ends.get(entry.leg) ?? {};
    ends.set(entry.leg, leg);
    // A request out or a response in carries our Via; the other two carry the peer's.
    const ours = (entry.direction === 'out') !== isResponse(entry);
    if (via?.endpoint) {
      if (ours) leg.local ??= via.endpoint;
      else leg.remote ??= via.endpoint;
    }
    return via;
  });
  return entries.map((entry, i) => {
    const leg = ends.get(entry.leg)!;
    const local = leg.local ?? UNKNOWN;
    const remote = leg.remote ?? UNKNOWN;
    const transport = vias[i]?.transport ?? 'udp';
    return entry.direction === 'out'
      ? { source: local, destination: remote, transport }
      : { source: remote, destination: local, transport };
  });
}
