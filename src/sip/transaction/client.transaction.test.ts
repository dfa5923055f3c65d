import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMessage } from '../message/message.parser.js';
import { CHALLENGE } from '../message/message.fixtures.js';
import type { SipResponse } from '../message/sip-message.js';
import { SipError } from '../sip.error.js';
import { ClientTransaction } from './client.transaction.js';
import { DEFAULT_TIMERS } from './timer-settings.js';

const final = parseMessage(Buffer.from(CHALLENGE)) as SipResponse;
const provisional = { ...final, status: 100, reason: 'Trying' } as SipResponse;

function harness(reliable: boolean, transmit: () => Promise<void> = () => Promise.resolve()) {
  const sends: number[] = [];
  const outcomes: string[] = [];
  let terminated: number | undefined;
  const transaction = new ClientTransaction(reliable, DEFAULT_TIMERS, {
    transmit: () => {
      sends.push(Date.now());
      return transmit();
    },
    settle: (o) => outcomes.push('response' in o ? `response ${o.response.status}` : `error ${o.error.code}`),
    terminated: (absorbForMs) => (terminated = absorbForMs),
  });
  transaction.start();
  return {
    transaction,
    sends,
    outcomes,
    isTerminated: () => terminated !== undefined,
    absorbFor: () => terminated,
  };
}

describe('ClientTransaction (non-INVITE, RFC 3261 17.1.2)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('UDP: Timer E retransmits at 0.5, 1.5, 3.5, 7.5 s then every 4 s; Timer F gives up at 32 s', async () => {
    const h = harness(false);
    await vi.advanceTimersByTimeAsync(31_999);
    expect(h.sends).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.outcomes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.outcomes).toEqual(['error sip_transaction_timeout']);
    expect(h.isTerminated()).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.sends).toHaveLength(11);
  });

  it('UDP: after a provisional response, retransmits every T2', async () => {
    const h = harness(false);
    await vi.advanceTimersByTimeAsync(600);
    h.transaction.receive(provisional);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.sends).toEqual([0, 500, 1500, 5500, 9500]);
  });

  it('UDP: a final response settles once, stops retransmitting and asks for Timer K (T4) absorption', async () => {
    const h = harness(false);
    await vi.advanceTimersByTimeAsync(700);
    h.transaction.receive(final);
    h.transaction.receive(final); // retransmitted final: absorbed
    expect(h.outcomes).toEqual(['response 401']);
    expect(h.absorbFor()).toBe(5000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.sends).toEqual([0, 500]);
  });

  it('TCP: never retransmits, terminates on the final response at once, still times out by Timer F', async () => {
    const answered = harness(true);
    answered.transaction.receive(final);
    expect(answered.absorbFor()).toBe(0);
    const silent = harness(true);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(silent.sends).toEqual([0]);
    expect(silent.outcomes).toEqual(['error sip_transaction_timeout']);
  });

  it('a transport error settles at once with sip_transport_failed', async () => {
    const h = harness(true, () => Promise.reject(new SipError('sip_transport_failed', 'refused')));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outcomes).toEqual(['error sip_transport_failed']);
    expect(h.isTerminated()).toBe(true);
  });
});
