import { createSocket, type Socket } from 'node:dgram';

/** One HEPv3 packet taken apart: every generic chunk by type id, and the length the header claimed. */
export interface DecodedHep {
  length: number;
  chunks: Map<number, Buffer>;
}

/**
 * Decodes a HEPv3 packet as a capture server does, independently of the product's encoder: `HEP3`, the total
 * length, then (vendor, type, length, value) chunks until the end. Throws on anything malformed.
 */
export function decodeHep(packet: Buffer): DecodedHep {
  if (packet.subarray(0, 4).toString('ascii') !== 'HEP3') throw new Error('not a HEP3 packet');
  const length = packet.readUInt16BE(4);
  if (length !== packet.length) throw new Error(`length ${length} != datagram ${packet.length}`);
  const chunks = new Map<number, Buffer>();
  for (let at = 6; at < length;) {
    const vendor = packet.readUInt16BE(at);
    const type = packet.readUInt16BE(at + 2);
    const size = packet.readUInt16BE(at + 4);
    if (vendor !== 0) throw new Error(`vendor ${vendor} chunk`);
    if (size < 6 || at + size > length) throw new Error(`chunk ${type} overruns the packet`);
    chunks.set(type, packet.subarray(at + 6, at + size));
    at += size;
  }
  return { length, chunks };
}

/** A UDP capture server on loopback that keeps every datagram it gets. */
export async function hepListener(): Promise<{
  port: number;
  packets: Buffer[];
  close(): void;
  socket: Socket;
}> {
  const socket = createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (data) => packets.push(data));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, packets, socket, close: () => socket.close() };
}
