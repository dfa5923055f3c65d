/** The fields of an RTP packet (RFC 3550 5.1) that the test peer reads and writes. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Writes a version-2 RTP packet without CSRCs or extension. */
export function writeRtp(packet: RtpPacket): Buffer {
  const bytes = Buffer.alloc(12 + packet.payload.length);
  bytes[0] = 0x80;
  bytes[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  bytes.writeUInt16BE(packet.sequence & 0xffff, 2);
  bytes.writeUInt32BE(packet.timestamp >>> 0, 4);
  bytes.writeUInt32BE(packet.ssrc >>> 0, 8);
  packet.payload.copy(bytes, 12);
  return bytes;
}

/** Length of the header including CSRCs and the extension, or undefined when `bytes` is not RTP version 2. */
export function rtpHeaderLength(bytes: Buffer): number | undefined {
  if (bytes.length < 12 || bytes[0] === undefined || bytes[0] >> 6 !== 2) return undefined;
  let length = 12 + 4 * (bytes[0] & 0x0f);
  if (bytes[0] & 0x10) {
    if (bytes.length < length + 4) return undefined;
    length += 4 + 4 * bytes.readUInt16BE(length + 2);
  }
  return length <= bytes.length ? length : undefined;
}

/** Reads an RTP packet (padding removed), or undefined when it is not one. */
export function readRtp(bytes: Buffer): RtpPacket | undefined {
  const headerLength = rtpHeaderLength(bytes);
  if (headerLength === undefined) return undefined;
  let end = bytes.length;
  if ((bytes[0] ?? 0) & 0x20) end -= bytes[bytes.length - 1] ?? 0;
  return {
    payloadType: (bytes[1] ?? 0) & 0x7f,
    marker: ((bytes[1] ?? 0) & 0x80) !== 0,
    sequence: bytes.readUInt16BE(2),
    timestamp: bytes.readUInt32BE(4),
    ssrc: bytes.readUInt32BE(8),
    payload: bytes.subarray(headerLength, Math.max(headerLength, end)),
  };
}

/** RTCP shares the port under rtcp-mux; its packet types 192-223 tell it apart (RFC 5761 4). */
export function isRtcp(bytes: Buffer): boolean {
  const type = bytes[1] ?? 0;
  return type >= 192 && type <= 223;
}
