import { describe, expect, it } from 'vitest';
import type { LadderEntry } from '../../call-record.types.js';
import { ladderHops, topViaOf } from './ladder-endpoints.js';

const entry = (leg: LadderEntry['leg'], direction: LadderEntry['direction'], text: string): LadderEntry => ({
  at: '2026-12-03T10:00:00.000Z',
  leg,
  direction,
  summary: text.slice(0, text.indexOf('\r\n')),
  text,
});

describe('ladder endpoints', () => {
  it('reads the top Via, preferring received and rport to the sent-by', () => {
    expect(
      topViaOf('INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.5:5070;branch=z9hG4bK1\r\n'),
    ).toEqual({
      transport: 'udp',
      endpoint: { address: '192.168.1.5', port: 5070 },
    });
    expect(
      topViaOf('SIP/2.0 200 OK\r\nv: SIP/2.0/TCP pbx.local;branch=z9;received=203.0.113.9;rport=40000\r\n'),
    ).toEqual({ transport: 'tcp', endpoint: { address: '203.0.113.9', port: 40000 } });
    expect(topViaOf('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TLS [2001:db8::1];branch=z9\r\n')).toEqual({
      transport: 'tcp',
      endpoint: { address: '2001:db8::1', port: 5061 },
    });
    expect(
      topViaOf('INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/TLS sbc.example.com:5061;branch=z9\r\n')?.endpoint,
    ).toBe(undefined);
  });

  it("gives each message of both legs its leg's two ends, in the direction it went", () => {
    const ours = 'Via: SIP/2.0/UDP 10.0.0.1:5080;branch=z9hG4bKa';
    const pbx = 'Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb';
    const teams = 'Via: SIP/2.0/TLS 52.114.0.1:5061;branch=z9hG4bKc';
    const hops = ladderHops([
      entry('pbx', 'in', `INVITE sip:+44@cb SIP/2.0\r\n${pbx}\r\n\r\n`),
      entry(
        'teams',
        'out',
        `INVITE sip:+44@sip.pstnhub.microsoft.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9\r\n\r\n`,
      ),
      entry('teams', 'in', `SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9\r\n\r\n`),
      entry('pbx', 'out', `SIP/2.0 180 Ringing\r\n${pbx}\r\n\r\n`),
      entry('teams', 'in', `BYE sip:cb SIP/2.0\r\n${teams}\r\n\r\n`),
      entry('pbx', 'out', `BYE sip:201@pbx SIP/2.0\r\n${ours}\r\n\r\n`),
    ]);
    const pair = (i: number) =>
      `${hops[i]!.source.address}:${hops[i]!.source.port} -> ${hops[i]!.destination.address}:${hops[i]!.destination.port}`;
    expect(pair(0)).toBe('10.0.0.2:5060 -> 10.0.0.1:5080');
    expect(pair(1)).toBe('10.0.0.1:5061 -> 52.114.0.1:5061');
    expect(pair(2)).toBe('52.114.0.1:5061 -> 10.0.0.1:5061');
    expect(pair(3)).toBe('10.0.0.1:5080 -> 10.0.0.2:5060');
    expect(hops[1]!.transport).toBe('tcp');
    expect(hops[0]!.transport).toBe('udp');
  });

  it('leaves an end it cannot learn as 0.0.0.0:0 rather than guessing', () => {
    const [hop] = ladderHops([
      entry('pbx', 'out', 'INVITE sip:201@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5080\r\n\r\n'),
    ]);
    expect(hop!.destination).toEqual({ address: '0.0.0.0', port: 0 });
    expect(hop!.source).toEqual({ address: '10.0.0.1', port: 5080 });
  });
});
