import type { EndpointTransport } from '../../sip/dialog/endpoint.types.js';

/**
 * What Microsoft's Direct Routing proxy looks like on the wire (CALLS.md, from published captures): upper-case
 * header names, its Server / User-Agent strings, the six methods it accepts. Strings marked unverified are
 * configurable on the emulator.
 */
export const MICROSOFT_ALLOW = 'INVITE,ACK,OPTIONS,CANCEL,BYE,NOTIFY';
/** As in the 2020 OPTIONS 200 capture. */
export const MICROSOFT_SERVER = 'Microsoft.PSTNHub.SIPProxy v.2020.7.31.1 i.USWE2.3';
/** As in the 2024 REFER capture. */
export const MICROSOFT_USER_AGENT = 'Microsoft.PSTNHub.SIPProxy v.2024.2.6.5 i.USEA.5';
/** Reason phrase of the Contact-FQDN 403 (unverified: Microsoft's exact wording is not published). */
export const CONTACT_FQDN_REASON =
  'Forbidden: the Contact FQDN is not covered by the certificate or not a tenant domain';

/**
 * Rewrite header names to upper case (`FROM:`, `CSEQ:`), as Microsoft sends them, leaving values and body alone.
 * Our serializer writes canonical names; this runs on the bytes, so the emulator keeps using the normal stack.
 */
export function upperCaseHeaderNames(bytes: Buffer): Buffer {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return bytes;
  const lines = bytes.toString('utf8', 0, end).split('\r\n');
  const head = lines
    .map((line, i) => {
      if (i === 0) return line;
      const colon = line.indexOf(':');
      return colon > 0 ? line.slice(0, colon).toUpperCase() + line.slice(colon) : line;
    })
    .join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), bytes.subarray(end)]);
}

/** A transport that sends Microsoft's casing. */
export function microsoftCasing(transport: EndpointTransport): EndpointTransport {
  return {
    send: (target, data) => transport.send(target, upperCaseHeaderNames(data)),
    reply: (source, data) => transport.reply(source, upperCaseHeaderNames(data)),
    local: (protocol) => transport.local(protocol),
  };
}

/** Why Microsoft refuses an SDP offer, or undefined when it takes it (CALLS.md: no delayed offer, no sendonly, no duplicate payload numbers). */
export function sdpRefusal(body: Buffer, contentType: string | undefined): string | undefined {
  if (body.length === 0) return 'no SDP offer (delayed offer is not supported)';
  if (contentType !== undefined && !contentType.toLowerCase().startsWith('application/sdp'))
    return `unsupported body type ${contentType}`;
  const text = body.toString('utf8');
  if (/^a=sendonly\s*$/m.test(text)) return 'a=sendonly is not supported (hold uses a=inactive)';
  for (const media of text.split(/^m=/m).slice(1)) {
    const formats = (media.split(/\r?\n/)[0] ?? '').trim().split(/\s+/).slice(3);
    if (new Set(formats).size !== formats.length) return 'duplicate payload type numbers in m= line';
    const rtpmaps = [...media.matchAll(/^a=rtpmap:(\d+)\s/gm)].map((m) => m[1]);
    if (new Set(rtpmaps).size !== rtpmaps.length) return 'duplicate payload type numbers in a=rtpmap';
  }
  return undefined;
}

/** The SDES offer Teams' media processor sends (media lines from Microsoft's media page), for emulated calls. */
export function teamsOffer(address: string, port: number): Buffer {
  return Buffer.from(
    [
      'v=0',
      `o=- 0 0 IN IP4 ${address}`,
      's=session',
      `c=IN IP4 ${address}`,
      't=0 0',
      `m=audio ${port} RTP/SAVP 111 103 104 9 0 8 106 13 110 112 113 126`,
      'a=crypto:0 AES_CM_128_HMAC_SHA1_32 inline:Hr4D2cgUu9+Uza5Igz/JkVx59DAxDbaxJg862ibQ|2^31',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE|2^31',
      `a=rtcp:${port}`,
      'a=rtcp-mux',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:9 G722/8000',
      'a=rtpmap:101 telephone-event/8000',
      '',
    ].join('\r\n'),
  );
}
