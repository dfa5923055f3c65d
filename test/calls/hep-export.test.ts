import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordInput, LadderEntry } from '../../src/calls/call-record.types.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { decodeHep, hepListener, type DecodedHep } from '../support/hep-listener.js';
import { until } from '../support/until.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const digest = '5f4dcc3b5aa765d61d8327deb882cf99';
const srtpKey = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
const PBX_CALL_ID = 'pbx-leg-1@10.0.0.2';
const TEAMS_CALL_ID = 'teams-leg-1@cb.example';

function message(first: string, via: string, callId: string, extra = ''): string {
  return `${first}\r\nVia: ${via}\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n${extra}Content-Length: 0\r\n\r\n`;
}

/** An answered call's ladder, both legs, with a digest answer and an SRTP key to be removed on the way out. */
function ladder(): LadderEntry[] {
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, 0, ms)).toISOString();
  const pbxVia = 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKpbx';
  const ourTeamsVia = 'SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKcb';
  const entries: [string, LadderEntry['leg'], LadderEntry['direction'], string][] = [
    [
      at(0),
      'pbx',
      'in',
      message(
        'INVITE sip:+442079460001@10.0.0.1 SIP/2.0',
        pbxVia,
        PBX_CALL_ID,
        `Authorization: Digest username="201", realm="pbx", nonce="n", uri="sip:x", response="${digest}"\r\n`,
      ),
    ],
    [
      at(5),
      'teams',
      'out',
      message(
        'INVITE sip:+442079460001@sip.pstnhub.microsoft.com SIP/2.0',
        ourTeamsVia,
        TEAMS_CALL_ID,
        `X-Note: a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${srtpKey}|2^31\r\n`,
      ),
    ],
    [at(250), 'teams', 'in', message('SIP/2.0 200 OK', ourTeamsVia, TEAMS_CALL_ID)],
    [at(251), 'pbx', 'out', message('SIP/2.0 200 OK', pbxVia, PBX_CALL_ID)],
  ];
  return entries.map(([time, leg, direction, text]) => ({
    at: time,
    leg,
    direction,
    summary: text.slice(0, text.indexOf('\r\n')),
    text,
  }));
}

/** HEP export (issue 18): every SIP message of a call, both legs, to a real UDP capture listener, redacted. */
describe('HEP export to Homer', () => {
  let t: TestApp;
  let listener: Awaited<ReturnType<typeof hepListener>>;
  let packets: DecodedHep[];

  beforeAll(async () => {
    listener = await hepListener();
    t = await createTestApp('sqlite', {
      config: { hepUrl: `udp:127.0.0.1:${listener.port}`, hepCaptureId: 4242 },
    });
    const account = await t.ctx.services.accounts.create(system, { name: 'Homer', kind: 'partner' });
    const call: CallRecordInput = {
      id: 'hep-call-1',
      accountId: account.id,
      serviceId: 'svc',
      direction: 'pbx-to-teams',
      from: '201',
      to: '+442079460001',
      startedAt: '2026-12-03T10:00:00.000Z',
      endedAt: '2026-12-03T10:01:00.000Z',
      // Answered: its ladder is not stored (not failed, no capture), yet Homer gets it.
      result: 'answered',
      legs: [
        { side: 'pbx', sipCallId: PBX_CALL_ID, finalStatus: 200 },
        { side: 'teams', sipCallId: TEAMS_CALL_ID, finalStatus: 200 },
      ],
      ladder: ladder(),
    };
    t.ctx.calls.recorder.ended(call);
    await t.ctx.calls.recorder.flush();
    await until(() => listener.packets.length >= 4, 5000, 'four HEP packets at the listener');
    packets = listener.packets.map(decodeHep);
  });

  afterAll(async () => {
    listener.close();
    await t.close();
  });

  it('sends one HEPv3 packet per SIP message with the generic chunks a capture server reads', () => {
    expect(packets).toHaveLength(4);
    for (const packet of packets) {
      for (const type of [0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0f, 0x11])
        expect(packet.chunks.has(type), `chunk 0x${type.toString(16)}`).toBe(true);
      expect(packet.chunks.get(0x01)![0]).toBe(2); // IPv4
      expect(packet.chunks.get(0x0b)![0]).toBe(1); // SIP
      expect(packet.chunks.get(0x0c)!.readUInt32BE(0)).toBe(4242);
    }
  });

  it('carries each message as sent, its time, and where it went from and to on its leg', () => {
    const first = packets[0]!;
    expect(first.chunks.get(0x0f)!.toString()).toMatch(
      /^INVITE sip:\+442079460001@10\.0\.0\.1 SIP\/2\.0\r\n/,
    );
    expect(first.chunks.get(0x02)![0]).toBe(17); // UDP on the PBX leg
    expect([...first.chunks.get(0x03)!].join('.')).toBe('10.0.0.2');
    expect(first.chunks.get(0x07)!.readUInt16BE(0)).toBe(5060);
    expect(first.chunks.get(0x09)!.readUInt32BE(0)).toBe(Date.UTC(2026, 11, 3, 10, 0, 0) / 1000);
    const teamsOk = packets[2]!;
    expect(teamsOk.chunks.get(0x02)![0]).toBe(6); // TLS over TCP on the Teams leg
    expect(teamsOk.chunks.get(0x0a)!.readUInt32BE(0)).toBe(250_000);
    expect([...teamsOk.chunks.get(0x04)!].join('.')).toBe('10.0.0.1');
    expect(teamsOk.chunks.get(0x08)!.readUInt16BE(0)).toBe(5061);
  });

  it('gives both legs one correlation id, the Call-ID of the first leg', () => {
    expect(new Set(packets.map((p) => p.chunks.get(0x11)!.toString()))).toEqual(new Set([PBX_CALL_ID]));
  });

  it('sends no secret: the digest answer and the SRTP key are removed as in the stored ladders', () => {
    const payloads = packets.map((p) => p.chunks.get(0x0f)!.toString()).join('\n');
    expect(payloads).not.toContain(digest);
    expect(payloads).not.toContain(srtpKey);
    expect(payloads).toContain('response="<removed>"');
    expect(payloads).toContain('inline:<removed>');
  });
});
