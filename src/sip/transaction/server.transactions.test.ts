import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMessage } from '../message/message.parser.js';
import { createResponse } from '../message/response.factory.js';
import type { SipRequest } from '../message/sip-message.js';
import type { SipSource } from '../transport/transport.types.js';
import { ServerTransactions } from './server.transactions.js';
import { DEFAULT_TIMERS } from './timer-settings.js';

const udp: SipSource = { protocol: 'udp', address: '192.0.2.5', port: 5060, flow: undefined };

function request(method: string, branch = 'z9hG4bKabc'): SipRequest {
  const text = [
    `${method} sip:k3j2h1@192.0.2.10 SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.5:5060;branch=${branch}`,
    'From: <sip:pbx@192.0.2.5>;tag=1',
    'To: <sip:k3j2h1@192.0.2.10>',
    'Call-ID: c1',
    `CSeq: 1 ${method}`,
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function harness() {
  const sent: { at: number; status: string }[] = [];
  const handled: string[] = [];
  const table = new ServerTransactions(
    DEFAULT_TIMERS,
    (_source, data) => sent.push({ at: Date.now(), status: data.toString().split(' ')[1]! }),
    (req) => {
      handled.push(req.method);
      return createResponse(req, req.method === 'INVITE' ? 480 : 200);
    },
  );
  return { table, sent, handled };
}

describe('ServerTransactions', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('absorbs a retransmitted OPTIONS: handled once, answered twice; forgotten after Timer J', async () => {
    const h = harness();
    h.table.receive(request('OPTIONS'), udp);
    h.table.receive(request('OPTIONS'), udp);
    expect(h.handled).toEqual(['OPTIONS']);
    expect(h.sent.map((s) => s.status)).toEqual(['200', '200']);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(h.table.size).toBe(0);
  });

  it('retransmits the INVITE final per Timer G until the ACK, then stops', async () => {
    const h = harness();
    h.table.receive(request('INVITE'), udp);
    await vi.advanceTimersByTimeAsync(3_600);
    expect(h.sent.map((s) => s.at)).toEqual([0, 500, 1500, 3500]);
    h.table.receive(request('ACK'), udp);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.sent).toHaveLength(4);
    expect(h.handled).toEqual(['INVITE']);
    expect(h.table.size).toBe(0);
  });

  it('answers CANCEL of a known INVITE with 200 and of an unknown one with 481', () => {
    const h = harness();
    h.table.receive(request('INVITE', 'z9hG4bKinv'), udp);
    h.table.receive(request('CANCEL', 'z9hG4bKinv'), udp);
    h.table.receive(request('CANCEL', 'z9hG4bKother'), udp);
    expect(h.sent.map((s) => s.status)).toEqual(['480', '200', '481']);
    expect(h.handled).toEqual(['INVITE']);
  });

  it('gives up on an INVITE final that is never acknowledged after Timer H', async () => {
    const h = harness();
    h.table.receive(request('INVITE'), udp);
    await vi.advanceTimersByTimeAsync(32_000);
    const count = h.sent.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.sent.length).toBe(count);
    expect(h.table.size).toBe(0);
  });
});
