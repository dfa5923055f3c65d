/**
 * HEPv3 (Homer Encapsulation Protocol) packets, the capture format of Homer, the field's SIP capture server. A
 * packet is `HEP3`, its total length (uint16), then chunks: vendor id (0 = generic), type id, chunk length
 * (uint16, header included) and the value, all in network byte order. Generic chunks written here: 0x0001 IP
 * family, 0x0002 IP protocol, 0x0003/0x0004 IPv4 or 0x0005/0x0006 IPv6 source and destination, 0x0007/0x0008
 * ports, 0x0009/0x000a time (seconds, microseconds), 0x000b payload type (1 = SIP), 0x000c capture agent id,
 * 0x000e authentication key (when set), 0x000f the SIP message, 0x0011 correlation id.
 *
 * Written here rather than taken from npm: the encoder is forty lines over Buffer, and the HEP packages on npm
 * are unmaintained or pull a whole capture agent.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const HEP_PROTO_SIP = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const CHUNK_HEADER = 6;
const PACKET_HEADER = 6;
/** A HEP packet's length field is 16 bits. */
export const HEP_MAX_PACKET = 0xffff;

export interface HepMessage {
  /** IP addresses (both IPv4 or both IPv6; '0.0.0.0' when unknown) and ports (0 when unknown). */
  source: { address: string; port: number };
  destination: { address: string; port: number };
  transport: 'udp' | 'tcp';
  /** When the message was seen (ms since the epoch, microseconds kept when given as a fraction). */
  timeMs: number;
  captureId: number;
  authKey?: string;
  correlationId: string;
  payload: string;
}

function chunk(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(CHUNK_HEADER);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt16BE(CHUNK_HEADER + value.length, 4);
  return Buffer.concat([header, value]);
}

const u8 = (n: number) => Buffer.from([n & 0xff]);
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function ipv6(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.concat(all.map((g) => u16(parseInt(g, 16))));
}

/**
 * One SIP message as a HEPv3 packet. The payload is cut (at a byte boundary) when the packet would pass 64 KiB.
 *
 * @example encodeHep({ source: { address: '10.0.0.1', port: 5060 }, ..., payload: 'INVITE ...' })
 */
export function encodeHep(message: HepMessage): Buffer {
  const v6 = isIPv6(message.source.address) && isIPv6(message.destination.address);
  const address = (a: string) => (v6 ? ipv6(a) : ipv4(isIPv4(a) ? a : '0.0.0.0'));
  const seconds = Math.floor(message.timeMs / 1000);
  const micros = Math.round((message.timeMs - seconds * 1000) * 1000);
  const chunks = [
    chunk(0x0001, u8(v6 ? AF_INET6 : AF_INET)),
    chunk(0x0002, u8(message.transport === 'udp' ? 17 : 6)),
    chunk(v6 ? 0x0005 : 0x0003, address(message.source.address)),
    chunk(v6 ? 0x0006 : 0x0004, address(message.destination.address)),
    chunk(0x0007, u16(message.source.port)),
    chunk(0x0008, u16(message.destination.port)),
    chunk(0x0009, u32(seconds)),
    chunk(0x000a, u32(micros)),
    chunk(0x000b, u8(HEP_PROTO_SIP)),
    chunk(0x000c, u32(message.captureId)),
    ...(message.authKey ? [chunk(0x000e, Buffer.from(message.authKey, 'utf8'))] : []),
    chunk(0x0011, Buffer.from(message.correlationId, 'utf8')),
  ];
  const used = PACKET_HEADER + chunks.reduce((n, c) => n + c.length, 0) + CHUNK_HEADER;
  const payload = Buffer.from(message.payload, 'utf8').subarray(0, HEP_MAX_PACKET - used);
  chunks.push(chunk(0x000f, payload));
  const length = used + payload.length;
  const header = Buffer.alloc(PACKET_HEADER);
  header.write('HEP3', 0, 'ascii');
  header.writeUInt16BE(length, 4);
  return Buffer.concat([header, ...chunks], length);
}
