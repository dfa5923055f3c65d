import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResponse } from '../message/response.factory.js';
import { InviteServerTransaction } from './invite-server.transaction.js';
import { inviteRequest } from './invite.fixtures.js';
import { inviteTimers } from './invite-timers.js';
import { DEFAULT_TIMERS } from './timer-settings.js';

function harness(reliable: boolean) {
  const sent: { at: number; status: string }[] = [];
  let ackTimeouts = 0;
  let terminatedAt: number | undefined;
  const invite = inviteRequest();
  const transaction = new InviteServerTransaction(invite, reliable, inviteTimers(DEFAULT_TIMERS, reliable), {
    send: (bytes) => sent.push({ at: Date.now(), status: bytes.toString().split(' ')[1]! }),
    ackTimeout: () => ackTimeouts++,
    terminated: () => (terminatedAt = Date.now()),
  });
  return { invite, transaction, sent, ackTimeouts: () => ackTimeouts, terminatedAt: () => terminatedAt };
}

describe('InviteServerTransaction (RFC 3261 17.2.1, RFC 6026)', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it('sends 100 Trying at once and answers a retransmitted INVITE with the latest provisional', () => {
    const h = harness(false);
    expect(h.sent).toEqual([{ at: 0, status: '100' }]);
    h.transaction.respond(createResponse(h.invite, 180));
    h.transaction.retransmitted();
    expect(h.sent.map((s) => s.status)).toEqual(['100', '180', '180']);
  });

  it('UDP: Timer G resends a 486 at 0.5, 1.5, 3.5, 7.5, 11.5 s ...; Timer H gives up at 32 s', async () => {
    const h = harness(false);
    h.transaction.respond(createResponse(h.invite, 486));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(h.sent.map((s) => s.at)).toEqual([0, 0, 500, 1500, 3500, 7500, 11500]);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(h.ackTimeouts()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.ackTimeouts()).toBe(1);
    expect(h.terminatedAt()).toBe(32_000);
  });

  it('the ACK stops Timer G and H; ACK copies are absorbed for Timer I (T4 on UDP)', async () => {
    const h = harness(false);
    h.transaction.respond(createResponse(h.invite, 603));
    await vi.advanceTimersByTimeAsync(600);
    h.transaction.acknowledged();
    h.transaction.acknowledged();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(h.transaction.state).toBe('confirmed');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.transaction.state).toBe('terminated');
    expect(h.sent.map((s) => s.status)).toEqual(['100', '603', '603']);
    expect(h.ackTimeouts()).toBe(0);
  });

  it('after a 2xx, retransmitted INVITEs are absorbed for Timer L, and the TU may resend its 2xx', async () => {
    const h = harness(true);
    const ok = createResponse(h.invite, 200);
    h.transaction.respond(ok);
    h.transaction.retransmitted();
    h.transaction.respond(ok);
    expect(h.sent.map((s) => s.status)).toEqual(['100', '200', '200']);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(h.transaction.state).toBe('terminated');
  });
});
