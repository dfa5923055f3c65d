import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../sip/message/sip-headers.js';
import type { SipRequest } from '../sip/message/sip-message.js';
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

  it('packs an answered call: every message comes back in order, with those after the pack and re-packs', async () => {
    const ladders = new CallLadders();
    ladders.watch('abc123');
    const message = (n: number) =>
      Buffer.from(INVITE.replace('Call-ID: abc123', `Call-ID: abc123\r\nX-N: ${n} Zoë`));
    const received = (n: number): SipRequest => ({
      kind: 'request',
      method: 'INVITE',
      uri: 'sip:2001@pbx.test',
      headers: SipHeaders.of([
        ['Call-ID', 'abc123'],
        ['X-N', `${n} Zoë`],
        ['Proxy-Authorization', 'Digest username="alice", response="6629fae49393a05397450978507c4ef1"'],
      ]),
      body: Buffer.from(
        'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE|2^31',
      ),
    });
    ladders.capture('pbx')('in', received(1));
    ladders.capture('teams')('out', message(2));
    ladders.capture('teams')('in', received(3));
    await ladders.pack('abc123');
    ladders.capture('pbx')('out', message(4));
    await ladders.pack('abc123'); // a second pack merges the first
    ladders.capture('teams')('out', message(5));
    const entries = ladders.take('abc123');
    expect(entries.map((e) => [e.leg, e.direction, /X-N: (\d) Zoë/.exec(e.text)?.[1]])).toEqual([
      ['pbx', 'in', '1'],
      ['teams', 'out', '2'],
      ['teams', 'in', '3'],
      ['pbx', 'out', '4'],
      ['teams', 'out', '5'],
    ]);
    for (const entry of entries) {
      expect(entry.summary).toBe('INVITE sip:2001@pbx.test SIP/2.0');
      expect(entry.text).toContain('inline:[removed]|2^31');
      expect(entry.text).not.toMatch(/6629fae4|JPEaIx|aHR0cHM6/);
    }
    expect(entries.map((e) => e.atMs)).toEqual([...entries.map((e) => e.atMs)].sort((a, b) => a - b));
  });

  it('loses nothing when the call ends while its ladder is being packed', () => {
    const ladders = new CallLadders();
    ladders.watch('abc123');
    ladders.capture('pbx')('out', Buffer.from(INVITE));
    void ladders.pack('abc123');
    ladders.capture('pbx')(
      'in',
      Buffer.from(INVITE.replace('INVITE sip:2001@pbx.test', 'BYE sip:2001@pbx.test')),
    );
    expect(ladders.take('abc123').map((e) => e.summary)).toEqual([
      'INVITE sip:2001@pbx.test SIP/2.0',
      'BYE sip:2001@pbx.test SIP/2.0',
    ]);
  });
});
