import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryWire } from '../../../test/sip/support/memory-wire.js';
import { serializeMessage } from '../message/message.serializer.js';
import { createResponse } from '../message/response.factory.js';
import { SipHeaders } from '../message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../message/sip-message.js';
import type { TransportProtocol } from '../transport/transport.types.js';
import { CallEndpoint } from './call.endpoint.js';
import type { Dialog } from './dialog.js';
import type { CallEndpointOptions, DialogEndReason } from './endpoint.types.js';
import type { IncomingCall } from './incoming-call.js';
import { uacSessionHeaders } from './session-timer.js';

const A = '10.0.0.1';
const B = '10.0.0.2';
const sdp = (who: string, size = 0) =>
  Buffer.from(
    `v=0\r\no=- 1 1 IN IP4 ${who}\r\ns=-\r\nc=IN IP4 ${who}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n${'a=x\r\n'.repeat(size)}`,
  );

/** Let the microtasks that carry messages across the wire run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function endpoint(wire: MemoryWire, address: string, extra: Partial<CallEndpointOptions> = {}) {
  const ended: [string, DialogEndReason][] = [];
  const calls: IncomingCall[] = [];
  const ep: CallEndpoint = new CallEndpoint({
    transport: wire.transport(address, (inbound) => ep.receive(inbound)),
    contact: (protocol) => `sip:ua@${address}:5060;transport=${protocol}`,
    onInvite: (call) => calls.push(call),
    onDialogEnded: (dialog, reason) => ended.push([dialog.remoteTag, reason]),
    ...extra,
  });
  return { ep, ended, calls };
}

function invite(
  to: string,
  protocol: TransportProtocol = 'tcp',
  body = sdp(A),
  extra: Record<string, string> = {},
) {
  const headers = new SipHeaders()
    .append('From', `<sip:alice@example.com>;tag=${randomToken(8)}`)
    .append('To', `<sip:bob@example.com>`)
    .append('Call-ID', randomToken(12))
    .append('CSeq', '1 INVITE')
    .append('Content-Type', 'application/sdp');
  for (const [name, value] of Object.entries(extra)) headers.append(name, value);
  const request: SipRequest = { kind: 'request', method: 'INVITE', uri: `sip:bob@${to}`, headers, body };
  return { request, hop: { target: { protocol, address: to, port: 5060 } } };
}

beforeEach(() => void vi.useFakeTimers({ now: 0 }));
afterEach(() => void vi.useRealTimers());

describe('CallEndpoint: calls between two endpoints', () => {
  it('rings, answers, ACKs end to end, and ends both dialogs with one BYE; a BYE of an unknown dialog gets 481', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const b = endpoint(wire, B);
    const { request, hop } = invite(B);
    const call = a.ep.invite(request, hop);
    await flush();
    b.calls[0]!.ring(180);
    const answered = b.calls[0]!.accept({ body: sdp(B) });
    await flush();
    const outcome = await call.outcome;
    expect(outcome.kind).toBe('answered');
    const dialogB = await answered;
    expect(dialogB.state).toBe('confirmed');
    expect(wire.summary()).toEqual(['INVITE', 100, 180, 200, 'ACK']);
    const ack = wire.log.at(-1)!.message as SipRequest;
    expect(ack.uri).toBe(`sip:ua@${B}:5060;transport=tcp`); // to the callee's Contact, not the first hop
    expect(ack.headers.get('Via')).not.toContain(
      request.headers.get('Via')!.split('branch=')[1]!.split(';')[0],
    );
    const dialogA = (outcome as { dialog: Dialog }).dialog;
    await a.ep.dialogs.bye(dialogA);
    await flush();
    expect(b.ended).toEqual([[dialogA.localTag, 'remote-bye']]);
    expect(a.ended).toEqual([[dialogB.localTag, 'local-bye']]);
    const stale = await a.ep.request(
      { ...invite(B).request, method: 'BYE', headers: staleHeaders(dialogA) },
      { target: { protocol: 'tcp', address: B, port: 5060 } },
    );
    expect(stale.status).toBe(481);
  });

  it('CANCEL after a 180: the callee hears of it, the INVITE ends 487 and is ACKed', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const b = endpoint(wire, B);
    const { request, hop } = invite(B);
    const call = a.ep.invite(request, hop);
    await flush();
    let cancelled = false;
    b.calls[0]!.onCancel = () => (cancelled = true);
    b.calls[0]!.ring(180);
    await flush();
    call.cancel();
    await flush();
    const outcome = await call.outcome;
    expect(cancelled).toBe(true);
    expect(outcome.kind === 'rejected' && outcome.response.status).toBe(487);
    expect(wire.summary()).toEqual(['INVITE', 100, 180, 'CANCEL', 200, 487, 'ACK']);
  });

  it('a 2xx that is never ACKed is resent (UDP) and the callee ends the call with BYE after 64*T1', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const b = endpoint(wire, B);
    wire.drop = (r) => r.message.kind === 'request' && r.message.method === 'ACK';
    const { request, hop } = invite(B, 'udp');
    a.ep.invite(request, hop);
    await flush();
    const answered = b.calls[0]!.accept({ body: sdp(B) }).catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(32_000);
    await flush();
    expect(await answered).toContain('never acknowledged');
    const okCount = wire.summary((r) => r.from === B).filter((s) => s === 200).length;
    expect(okCount).toBeGreaterThanOrEqual(7); // 0, 0.5, 1.5, 3.5, 7.5, 11.5 ... s
    expect(wire.summary((r) => r.from === B)).toContain('BYE');
    expect(b.ended.map(([, reason]) => reason)).toEqual(['no-ack']);
  });

  it('an INVITE over 1,300 bytes leaves on TCP even when the target is UDP (RFC 3261 18.1.1)', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    endpoint(wire, B);
    const { request, hop } = invite(B, 'udp', sdp(A, 400));
    a.ep.invite(request, hop);
    await flush();
    const sent = wire.log[0]!;
    expect(sent.bytes).toBeGreaterThan(1300);
    expect(sent.protocol).toBe('tcp');
    expect((sent.message as SipRequest).headers.get('Via')).toMatch(/^SIP\/2\.0\/TCP /);
  });
});

describe('CallEndpoint: forking (one 180 per Teams device, one 183, a 200 from another fork)', () => {
  it('keeps one early dialog per To-tag, confirms the answering fork, and ACKs then BYEs a second 200', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const peer = wire.transport(B, () => undefined);
    const got: SipRequest[] = [];
    let source: Parameters<typeof peer.reply>[0] | undefined;
    wire.attach(B, (inbound) => {
      if (inbound.message.kind === 'request') got.push(inbound.message);
      source = inbound.source;
    });
    const { request, hop } = invite(B);
    const call = a.ep.invite(request, hop);
    const early: [number, string | undefined][] = [];
    call.onProvisional = (response, dialog) => early.push([response.status, dialog?.remoteTag]);
    await flush();
    const inv = got[0]!;
    const answer = (status: number, tag: string | undefined, body?: Buffer) => {
      const response = forkResponse(inv, status, tag, body);
      void peer.reply(source!, serializeMessage(response));
    };
    answer(100, undefined);
    answer(180, 'deviceA');
    answer(180, 'deviceB');
    answer(183, 'deviceB', sdp(B));
    answer(200, 'deviceC', sdp(B));
    await flush();
    const outcome = await call.outcome;
    expect(early).toEqual([
      [100, undefined],
      [180, 'deviceA'],
      [180, 'deviceB'],
      [183, 'deviceB'],
    ]);
    expect(outcome.kind === 'answered' && outcome.dialog.remoteTag).toBe('deviceC');
    expect(outcome.kind === 'answered' && outcome.dialog.remoteTarget).toBe(
      'sip:deviceC@10.0.0.2:5061;transport=tls',
    );
    expect([...call.earlyDialogs.values()].map((d) => [d.remoteTag, d.state])).toEqual([
      ['deviceA', 'terminated'],
      ['deviceB', 'terminated'],
    ]);
    answer(200, 'deviceA', sdp(B)); // a second device answered too
    answer(200, 'deviceC', sdp(B)); // and the first 200 came again
    await flush();
    const sentAfter = got.slice(1).map((r) => `${r.method} ${r.headers.get('To')!.split('tag=')[1]}`);
    // The first 200's ACK, then (in either order) its resent ACK and the second fork's ACK and BYE.
    expect(sentAfter[0]).toBe('ACK deviceC');
    expect(sentAfter.slice(1).sort()).toEqual(['ACK deviceA', 'ACK deviceC', 'BYE deviceA']);
    expect(a.ep.dialogs.size).toBe(1);
  });
});

describe('CallEndpoint: re-INVITE glare and session timers', () => {
  it('both sides re-INVITE at once: each gets 491, then both succeed after the RFC 3261 14.1 waits', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const b = endpoint(wire, B);
    const { dialogA, dialogB } = await connect(a, b);
    const first = a.ep.dialogs.reinvite(dialogA, sdp(A));
    const second = b.ep.dialogs.reinvite(dialogB, sdp(B));
    await flush();
    expect(wire.summary().filter((s) => s === 491)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4_100);
    await flush();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(a.ep.dialogs.size + b.ep.dialogs.size).toBe(2);
  });

  it('as UAS: grants the asked interval with refresher=uac; the UAC refreshes at half; silence ends it with BYE', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const b = endpoint(wire, B);
    const { dialogA, ok } = await connect(a, b, uacSessionHeaders(90));
    expect(ok.headers.get('Session-Expires')).toBe('90;refresher=uac');
    expect(ok.headers.get('Require')).toBe('timer');
    await vi.advanceTimersByTimeAsync(45_000);
    await flush();
    expect(wire.summary((r) => r.from === A).filter((s) => s === 'INVITE')).toHaveLength(2);
    wire.drop = (r) => r.from === A && r.message.kind === 'request' && r.message.method === 'INVITE';
    await vi.advanceTimersByTimeAsync(59_999); // 90 - min(32, 30) = 60 s after the last refresh
    expect(b.ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await flush();
    expect(b.ended).toEqual([[dialogA.localTag, 'session-expired']]);
    expect(wire.summary((r) => r.from === B)).toContain('BYE');
  });

  it('answers 422 with Min-SE to an interval below 90 s (RFC 4028)', async () => {
    const wire = new MemoryWire();
    const a = endpoint(wire, A);
    const b = endpoint(wire, B);
    const { request, hop } = invite(B, 'tcp', sdp(A), { 'Session-Expires': '60' });
    const call = a.ep.invite(request, hop);
    await flush();
    await expect(b.calls[0]!.accept({ body: sdp(B) })).rejects.toThrow(/Min-SE/);
    await flush();
    const outcome = await call.outcome;
    expect(outcome.kind === 'rejected' && outcome.response.status).toBe(422);
    expect(outcome.kind === 'rejected' && outcome.response.headers.get('Min-SE')).toBe('90');
  });
});

/** Set up a confirmed call from a to b. */
async function connect(
  a: ReturnType<typeof endpoint>,
  b: ReturnType<typeof endpoint>,
  headers: Record<string, string> = {},
) {
  const { request, hop } = invite(B, 'tcp', sdp(A), headers);
  const call = a.ep.invite(request, hop);
  await flush();
  const answered = b.calls.at(-1)!.accept({ body: sdp(B) });
  await flush();
  const outcome = await call.outcome;
  if (outcome.kind !== 'answered') throw new Error(`call not answered: ${outcome.kind}`);
  return { dialogA: outcome.dialog, dialogB: await answered, ok: outcome.response };
}

function forkResponse(inv: SipRequest, status: number, tag: string | undefined, body?: Buffer): SipResponse {
  const response = createResponse(inv, status);
  const to = inv.headers.get('To')!;
  response.headers.set('To', tag ? `${to};tag=${tag}` : to);
  if (tag) response.headers.append('Contact', `<sip:${tag}@10.0.0.2:5061;transport=tls>`);
  if (body) {
    response.headers.append('Content-Type', 'application/sdp');
    response.body = body;
  }
  return response;
}

function staleHeaders(dialog: Dialog): SipHeaders {
  return new SipHeaders()
    .append('From', `${dialog.localUri};tag=${dialog.localTag}`)
    .append('To', `${dialog.remoteUri};tag=${dialog.remoteTag}`)
    .append('Call-ID', dialog.callId)
    .append('CSeq', '99 BYE');
}
