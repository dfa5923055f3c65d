import { describe, expect, it } from 'vitest';
import { CallLadders, redactSip } from './call-ladder.js';

const INVITE = [
  'INVITE sip:2001@pbx.test SIP/2.0',
  'Call-ID: abc123',
  'Proxy-Authorization: Digest username="alice", realm="pbx.test", nonce="n", response="6629fae49393a05397450978507c4ef1"',
  'Referred-By: <sip:sip.pstnhub.microsoft.com:5061;x-m=8:orgid:1;x-tt=aHR0cHM6Ly9hcGkt%3D>',
  'Content-Length: 0',
  '',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE|2^31',
].join('\r\n');

describe('call ladders', () => {
  it('removes digest answers, SRTP keys and transfer tokens, keeping who and what', () => {
    const clean = redactSip(INVITE);
    expect(clean).toContain('Proxy-Authorization: Digest username="alice", [removed]');
    expect(clean).toContain('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[removed]|2^31');
    expect(clean).toContain('x-tt=[removed]>');
    expect(clean).not.toMatch(/6629fae4|JPEaIx|aHR0cHM6/);
  });

  it('keeps only watched Call-IDs, in order, and forgets them when taken', () => {
    const ladders = new CallLadders();
    const capture = ladders.capture('pbx');
    capture('out', Buffer.from(INVITE)); // not watched yet: not kept
    ladders.watch('abc123');
    capture('out', Buffer.from(INVITE));
    capture('out', Buffer.from(INVITE.replace('abc123', 'other')));
    const entries = ladders.take('abc123');
    expect(entries.map((e) => [e.leg, e.direction, e.summary])).toEqual([
      ['pbx', 'out', 'INVITE sip:2001@pbx.test SIP/2.0'],
    ]);
    expect(ladders.size).toBe(0);
  });

  it('hands back captured messages with their secrets removed, read by name or as JSON', () => {
    const ladders = new CallLadders();
    ladders.watch('abc123');
    ladders.capture('teams')(
      'out',
      Buffer.from(INVITE.replace('Call-ID: abc123', 'Call-ID: abc123\r\nX: Zoë')),
    );
    const [entry] = ladders.take('abc123');
    const copies = [entry, JSON.parse(JSON.stringify(entry)) as typeof entry];
    for (const copy of copies) {
      expect(copy!.text).toContain('inline:[removed]|2^31');
      expect(copy!.text).toContain('X: Zoë');
      expect(copy!.text).not.toMatch(/6629fae4|JPEaIx|aHR0cHM6/);
      expect(copy!.summary).toBe('INVITE sip:2001@pbx.test SIP/2.0');
      expect(Date.parse(copy!.at)).toBeGreaterThan(Date.now() - 60_000);
    }
  });
});
