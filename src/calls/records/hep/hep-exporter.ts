/**
 * Sends every call's SIP ladder (both legs, secrets already removed by the recorder) to a Homer capture server
 * as HEPv3 over UDP, when `CALLBRIDGE_HEP_URL` is set. One datagram per SIP message; the correlation id is the
 * Call-ID of the call's first leg on the messages of both legs, so Homer shows the two legs as one call. Sending
 * is fire-and-forget (UDP): a capture server that is down costs nothing but a counted error.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { LadderEntry } from '../../call-record.types.js';
import type { CallRecord } from '../call-record.js';
import { encodeHep } from './hep-encoder.js';
import { ladderHops } from './ladder-endpoints.js';

export interface HepTarget {
  host: string;
  port: number;
}

/** `udp:host:port` (IPv6 in brackets) as a target; the config schema has checked the shape. */
export function hepTargetOf(url: string): HepTarget {
  const match = /^udp:(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(url);
  if (!match)
    throw new Error(`CALLBRIDGE_HEP_URL must be udp:host:port, e.g. udp:127.0.0.1:9060 (got ${url})`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export class HepExporter {
  private readonly socket: Socket;
  /** Packets sent, and sends that failed (the log would flood at hundreds of calls per second). */
  sent = 0;
  errors = 0;

  constructor(
    private readonly target: HepTarget,
    private readonly options: { captureId: number; authKey?: string | undefined },
  ) {
    this.socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    this.socket.on('error', () => void this.errors++);
    this.socket.unref();
  }

  /** Sends the call's ladder, one HEP packet per message. */
  export(record: Pick<CallRecord, 'legs'>, entries: readonly LadderEntry[]): void {
    if (entries.length === 0) return;
    const correlationId = record.legs[0]?.sipCallId ?? callIdOf(entries[0]!.text);
    const hops = ladderHops(entries);
    entries.forEach((entry, i) => {
      const hop = hops[i]!;
      const packet = encodeHep({
        ...hop,
        timeMs: Date.parse(entry.at),
        captureId: this.options.captureId,
        ...(this.options.authKey && { authKey: this.options.authKey }),
        correlationId,
        payload: entry.text,
      });
      this.socket.send(packet, this.target.port, this.target.host, (error) => {
        if (error) this.errors++;
        else this.sent++;
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

function callIdOf(text: string): string {
  return /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1] ?? '';
}
