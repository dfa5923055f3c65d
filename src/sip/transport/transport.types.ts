import type { SipMessage } from '../message/sip-message.js';

/** SIP transports we speak. */
export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** Where to send: a resolved address (IP literal) and port. */
export interface SipTarget {
  protocol: TransportProtocol;
  address: string;
  port: number;
  /** Host name for TLS server name indication and certificate check. */
  serverName?: string;
}

/** Where a message came from. `flow` names the connection for stream transports. */
export interface SipSource {
  protocol: TransportProtocol;
  address: string;
  port: number;
  flow: string | undefined;
}

/** A message that arrived, with its source. */
export interface InboundMessage {
  message: SipMessage;
  source: SipSource;
}

/** Our own address on one transport, for Via and Contact. */
export interface LocalEndpoint {
  protocol: TransportProtocol;
  host: string;
  port: number;
}

/** Key of a flow (connection or UDP peer): `tcp:192.0.2.1:5060`. */
export function flowKey(protocol: TransportProtocol, address: string, port: number): string {
  return `${protocol}:${address}:${port}`;
}

/** Transport name as written in Via: UDP, TCP, TLS. */
export function viaTransport(protocol: TransportProtocol): string {
  return protocol.toUpperCase();
}

/** Default port of a transport (RFC 3261 section 19.1.2). */
export function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' ? 5061 : 5060;
}
