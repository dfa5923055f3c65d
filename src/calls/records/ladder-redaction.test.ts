import { describe, expect, it } from 'vitest';
import { redactLadder, redactSipText } from './ladder-redaction.js';

const digestResponse = '6629fae49393a05397450978507c4ef1';
const srtpKey = 'JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE';

const invite = [
  'INVITE sip:+442079460001@pbx.example;user=phone SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  `PROXY-AUTHORIZATION: Digest username="alice", realm="pbx.example", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:+442079460001@pbx.example", response="${digestResponse}", cnonce="0a4f113b", qop=auth, nc=00000001`,
  'Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl',
  'X-Auth-Token: 8d1c3e9f-secret',
  'Contact: <sip:alice:hunter2@192.0.2.1:5060>',
  'REFERRED-BY: <sip:sip.pstnhub.microsoft.com:5061;x-m=8:orgid:fa27;x-t=4dca;x-tt=aHR0cHM6Ly9hcGkt%3D>',
  'Content-Type: application/sdp',
  '',
  'v=0',
  'k=clear:supersecretkey',
  'm=audio 52884 RTP/SAVP 0 8 101',
  `a=crypto:0 AES_CM_128_HMAC_SHA1_32 inline:Hr4D2cgUu9+Uza5Igz/JkVx59DAxDbaxJg862ibQ|2^31`,
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${srtpKey}|2^31|1:1`,
].join('\r\n');

describe('ladder redaction', () => {
  it('removes the digest response and cnonce, bearer tokens, token headers, SRTP and SDP keys, URI passwords and x-tt', () => {
    const out = redactSipText(invite);
    for (const secret of [
      digestResponse,
      '0a4f113b',
      'eyJ0eXAiOiJKV1Qi',
      '8d1c3e9f-secret',
      'hunter2',
      'aHR0cHM6Ly9hcGkt',
      'supersecretkey',
      srtpKey,
      'Hr4D2cgUu9',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('response="<removed>"');
    expect(out).toContain('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<removed>');
    expect(out).toContain('Contact: <sip:alice:<removed>@192.0.2.1:5060>');
  });

  it('keeps what a reader needs: request line, realm, nonce, user names, the suites, and the rest untouched', () => {
    const out = redactSipText(invite);
    expect(out.split('\r\n')[0]).toBe('INVITE sip:+442079460001@pbx.example;user=phone SIP/2.0');
    expect(out).toContain(
      'username="alice", realm="pbx.example", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"',
    );
    expect(out).toContain('x-m=8:orgid:fa27;x-t=4dca');
    expect(out).toContain('m=audio 52884 RTP/SAVP 0 8 101');
    expect(redactSipText('SIP/2.0 180 Ringing\r\nCSEQ: 1 INVITE')).toBe(
      'SIP/2.0 180 Ringing\r\nCSEQ: 1 INVITE',
    );
  });

  it('redacts the summary line as well as the text of each entry', () => {
    const [entry] = redactLadder([
      { at: 't', leg: 'pbx', direction: 'out', summary: 'INVITE sip:bob:pw123@pbx SIP/2.0', text: invite },
    ]);
    expect(entry!.summary).toBe('INVITE sip:bob:<removed>@pbx SIP/2.0');
    expect(entry!.text).not.toContain(digestResponse);
  });
});
