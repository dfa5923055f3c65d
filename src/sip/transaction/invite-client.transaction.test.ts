import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipRequest } from '../message/sip-message.js';
import type { SipError } from '../sip.error.js';
import { InviteClientTransaction } from './invite-client.transaction.js';
import { inviteRequest, inviteResponse } from './invite.fixtures.js';
import { inviteTimers } from './invite-timers.js';
import { DEFAULT_TIMERS } from './timer-settings.js';

function harness(reliable: boolean) {
  const sent: { at: number; method: string; request: SipRequest }[] = [];
  const passed: number[] = [];
  const errors: SipError[] = [];
  let expired = 0;
  let terminatedAt: number | undefined;
  const transaction = new InviteClientTransaction(
    inviteRequest(),
    reliable,
    inviteTimers(DEFAULT_TIMERS, reliable),
    {
      transmit: (request) => {
        sent.push({ at: Date.now(), method: request.method, request });
        return Promise.resolve();
      },
      response: (response) => passed.push(response.status),
      failed: (error) => errors.push(error),
      expired: () => expired++,
      terminated: () => (terminatedAt = Date.now()),
    },
  );
  transaction.start();
  return { transaction, sent, passed, errors, expired: () => expired, terminatedAt: () => terminatedAt };
}

describe('InviteClientTransaction (RFC 3261 17.1.1, RFC 6026)', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it('UDP: Timer A resends at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B gives up at 32 s with 408', async () => {
    const h = harness(false);
    await vi.advanceTimersByTimeAsync(31_999);
    expect(h.sent.map((s) => s.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(h.errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.errors.map((e) => [e.code, e.details?.status, e.details?.timer])).toEqual([
      ['sip_transaction_timeout', 408, 'B'],
    ]);
    expect(h.terminatedAt()).toBe(32_000);
  });

  it('TLS: a 180 stops Timer B; Timer C asks for a CANCEL after 181 s of ringing, then gives up 32 s later', async () => {
    const h = harness(true);
    await vi.advanceTimersByTimeAsync(10_000);
    h.transaction.receive(inviteResponse(180, 'fork1'));
    await vi.advanceTimersByTimeAsync(100_000);
    h.transaction.receive(inviteResponse(180, 'fork2')); // each provisional restarts Timer C
    await vi.advanceTimersByTimeAsync(180_999);
    expect(h.expired()).toBe(0);
    expect(h.errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.expired()).toBe(1);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(h.errors.map((e) => e.details?.timer)).toEqual(['C']);
    expect(h.sent.map((s) => s.method)).toEqual(['INVITE']); // never retransmitted on TLS
    expect(h.passed).toEqual([180, 180]);
  });

  it('a 486 is ACKed on the same branch, passed up once, and a retransmitted 486 is ACKed again (Timer D)', async () => {
    const h = harness(false);
    h.transaction.receive(inviteResponse(100, undefined));
    h.transaction.receive(inviteResponse(486, 'busy'));
    h.transaction.receive(inviteResponse(486, 'busy'));
    expect(h.passed).toEqual([100, 486]);
    const acks = h.sent.filter((s) => s.method === 'ACK');
    expect(acks).toHaveLength(2);
    const ack = acks[0]!.request;
    expect(ack.headers.get('Via')).toContain('branch=z9hG4bKinv1');
    expect(ack.headers.get('To')).toContain('tag=busy');
    expect(ack.headers.get('CSeq')).toBe('10 ACK');
    expect(ack.headers.get('Route')).toBe('<sip:sip.pstnhub.microsoft.com:5061;transport=tls;lr>');
    await vi.advanceTimersByTimeAsync(31_999);
    expect(h.terminatedAt()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(h.terminatedAt()).toBe(32_000);
  });

  it("a 2xx moves to Accepted: 2xx retransmissions and another fork's 2xx still reach the TU until Timer M", async () => {
    const h = harness(true);
    h.transaction.receive(inviteResponse(200, 'forkA'));
    h.transaction.receive(inviteResponse(200, 'forkA'));
    h.transaction.receive(inviteResponse(200, 'forkB'));
    h.transaction.receive(inviteResponse(486, 'forkC')); // too late: ignored
    expect(h.passed).toEqual([200, 200, 200]);
    expect(h.sent.map((s) => s.method)).toEqual(['INVITE']); // 2xx ACKs are the TU's, not the transaction's
    expect(h.transaction.state).toBe('accepted');
    await vi.advanceTimersByTimeAsync(32_000);
    expect(h.transaction.state).toBe('terminated');
  });
});
