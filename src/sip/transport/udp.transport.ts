import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { DEFAULT_PARSE_LIMITS, parseMessage, type ParseLimits } from '../message/message.parser.js';
import { SipError } from '../sip.error.js';
import type { InboundMessage, SipTarget } from './transport.types.js';

/** Options of the UDP transport. */
export interface UdpTransportOptions {
  /** Local IP to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  host: string;
  /** Local port; 0 picks a free one. */
  port: number;
  /** Kernel receive buffer; large enough to absorb bursts of responses when thousands register at once. */
  receiveBufferBytes?: number;
  limits?: ParseLimits;
  onMessage: (inbound: InboundMessage) => void;
  /** Datagrams that are not SIP are dropped (RFC 3261 section 18.3) and reported here. */
  onDiscard?: (error: SipError, address: string) => void;
}

/**
 * SIP over UDP: one socket for everything we send and receive. Each datagram is one message.
 *
 * @example const udp = await UdpTransport.open({ host: '127.0.0.1', port: 0, onMessage }); udp.send(target, bytes);
 */
export class UdpTransport {
  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Bind the socket and start receiving. */
  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    const socket = createSocket({
      type: isIPv6(options.host) ? 'udp6' : 'udp4',
      reuseAddr: false,
      lookup: addressLookup,
    });
    const limits = options.limits ?? DEFAULT_PARSE_LIMITS;
    socket.on('message', (data, remote) => {
      try {
        const message = parseMessage(data, limits);
        options.onMessage({
          message,
          source: { protocol: 'udp', address: remote.address, port: remote.port, flow: undefined },
        });
      } catch (error) {
        if (error instanceof SipError) options.onDiscard?.(error, remote.address);
        else throw error;
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Late socket errors (e.g. EPERM on send) surface per send; keep the process alive.
    socket.on('error', () => undefined);
    if (options.receiveBufferBytes) {
      try {
        socket.setRecvBufferSize(options.receiveBufferBytes);
        socket.setSendBufferSize(options.receiveBufferBytes);
      } catch {
        // The kernel may cap buffer sizes; the defaults still work, only bursts drop more.
      }
    }
    return new UdpTransport(socket, options.host, socket.address().port);
  }

  /** Send one datagram; rejects with `sip_transport_failed` when the kernel refuses it. */
  send(target: SipTarget, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(data, target.port, target.address, (error) => {
        if (error) {
          reject(
            new SipError(
              'sip_transport_failed',
              `UDP send to ${target.address}:${target.port} failed: ${error.message}`,
            ),
          );
        } else resolve();
      });
    });
  }

  /** Close the socket. */
  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * dgram's address lookup for our sockets: every send "looks up" its destination, and ours are IP addresses
 * already (the RFC 3263 resolver ran before), which `dns.lookup` answers only on the next tick; answering at once
 * spares a tick and a callback per datagram (the REGISTER path sends two per registration). Names still go to
 * `dns.lookup`.
 */
const addressLookup: NonNullable<SocketOptions['lookup']> = (hostname, options, callback) => {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
};
