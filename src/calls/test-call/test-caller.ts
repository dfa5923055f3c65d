import { RtpPeer } from '../../media/peer/rtp-peer.js';
import { CallEndpoint } from '../../sip/dialog/call.endpoint.js';
import type { CallOutcome } from '../../sip/dialog/endpoint.types.js';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest } from '../../sip/message/sip-message.js';
import { SipStack } from '../../sip/stack/sip.stack.js';
import type { SipTarget } from '../../sip/transport/transport.types.js';

/** Where a test call stands, as the portal shows it. */
export type TestCallPhase = 'calling' | 'ringing' | 'answered' | 'ended';

/** How a test call ended, in a person's words. */
export type TestCallResult = 'answered' | 'busy' | 'declined' | 'no-answer' | 'failed';

/** What the caller reports while a test call runs and when it ends. */
export interface TestCallReport {
  phase: TestCallPhase;
  result?: TestCallResult;
  /** The final SIP status of the call (200 when answered), when there was one. */
  finalStatus?: number;
  /** The Reason header or the status phrase of a refusal, or what went wrong locally. */
  reason?: string;
  answeredAt?: string;
  /** RTP packets of the tone sent, and of audio received back from Teams while answered. */
  audio?: { sent: number; received: number };
}

/** One test call in progress. */
export interface PlacedTestCall {
  /** The SIP Call-ID of the test call's INVITE (the PBX leg of the call record). */
  sipCallId: string;
  /** Resolves with the last report (phase `ended`). */
  done: Promise<TestCallReport>;
}

/** What the service asks of whatever places test calls (the sip role's `TestCaller`). */
export interface TestCallPlacer {
  place(userId: string, options: { holdMs: number; onReport(report: TestCallReport): void }): PlacedTestCall;
}

/** A test call is given up (CANCEL) after this long without an answer: past the B2BUA's default ring timeout. */
const GIVE_UP_MS = 75_000;

/**
 * "Test call" (issue 17): the PBX side of Callbridge calls one user as their PBX would, by sending an INVITE to
 * the Contact Callbridge registered for them (`sip:<token>@<sip role>`), from a SIP stack of its own on loopback,
 * with a G.711 tone as the audio. The B2BUA then bridges it like any call from the PBX (the call record, the relay,
 * the Teams edge; the emulator in the demo, Microsoft in production), so the test proves the same path. An
 * answered call plays the tone for `holdMs` and hangs up.
 *
 * @example const caller = await TestCaller.start({ target, contactOf }); caller.place(userId, { holdMs, onReport });
 */
export class TestCaller implements TestCallPlacer {
  private constructor(
    private readonly stack: SipStack,
    private readonly endpoint: CallEndpoint,
    private readonly target: SipTarget,
    private readonly contactOf: (userId: string) => string,
  ) {}

  /**
   * @param target the sip role's UDP address (loopback when it listens on every address)
   * @param contactOf the Contact URI registered for a user (`sip:<token>@host:port`)
   */
  static async start(options: {
    target: SipTarget;
    contactOf: (userId: string) => string;
  }): Promise<TestCaller> {
    const stack = await SipStack.start({ host: '127.0.0.1', udpPort: 0, userAgent: 'Callbridge test call' });
    const box: { endpoint?: CallEndpoint } = {};
    const transport = stack.attachCalls((inbound) => box.endpoint?.receive(inbound));
    const endpoint = (box.endpoint = new CallEndpoint({
      transport,
      userAgent: 'Callbridge test call',
      contact: (protocol) => {
        const local = transport.local(protocol);
        return `sip:callbridge-test@${local.host}:${local.port}`;
      },
    }));
    return new TestCaller(stack, endpoint, options.target, options.contactOf);
  }

  place(userId: string, options: { holdMs: number; onReport(report: TestCallReport): void }): PlacedTestCall {
    const sipCallId = `test-${randomToken(20)}`;
    return { sipCallId, done: this.run(userId, sipCallId, options) };
  }

  async stop(): Promise<void> {
    this.endpoint.stop();
    await this.stack.stop();
  }

  private async run(
    userId: string,
    sipCallId: string,
    options: { holdMs: number; onReport(report: TestCallReport): void },
  ): Promise<TestCallReport> {
    const peer = await RtpPeer.open({ address: '127.0.0.1', toneHz: 1000 });
    try {
      const call = this.endpoint.invite(this.invite(userId, sipCallId, peer.sdp()), { target: this.target });
      let ringing = false;
      call.onProvisional = (response) => {
        if (response.status <= 100 || ringing) return;
        ringing = true;
        options.onReport({ phase: 'ringing' });
      };
      const giveUp = setTimeout(() => call.cancel(), GIVE_UP_MS);
      const outcome = await call.outcome.finally(() => clearTimeout(giveUp));
      if (outcome.kind !== 'answered') return ended(outcome);
      const answeredAt = new Date().toISOString();
      try {
        peer.setRemote(outcome.response.body.toString());
      } catch (error) {
        await this.endpoint.dialogs.bye(outcome.dialog).catch(() => undefined);
        return { phase: 'ended', result: 'failed', finalStatus: 200, reason: String(error), answeredAt };
      }
      peer.start();
      options.onReport({ phase: 'answered', answeredAt });
      const hungUp = await this.hold(outcome.dialog.id, options.holdMs);
      if (!hungUp) await this.endpoint.dialogs.bye(outcome.dialog).catch(() => undefined);
      return {
        phase: 'ended',
        result: 'answered',
        finalStatus: 200,
        answeredAt,
        audio: { sent: peer.counts.sent, received: peer.counts.received },
      };
    } finally {
      peer.close();
    }
  }

  /** Wait `ms` or until the far end hangs up (the dialog is gone); true when it hung up first. */
  private async hold(dialogId: string, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!this.endpoint.dialogs.get(dialogId)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  private invite(userId: string, callId: string, sdp: string): SipRequest {
    const uri = this.contactOf(userId);
    const headers = new SipHeaders()
      .append(
        'From',
        `"Callbridge test call" <sip:callbridge-test@callbridge.invalid>;tag=${randomToken(12)}`,
      )
      .append('To', `<${uri}>`)
      .append('Call-ID', callId)
      .append('CSeq', '1 INVITE')
      .append('Content-Type', 'application/sdp');
    return { kind: 'request', method: 'INVITE', uri, headers, body: Buffer.from(sdp) };
  }
}

/** The report of a call that was not answered: the result a person would name for its final status. */
function ended(outcome: Exclude<CallOutcome, { kind: 'answered' }>): TestCallReport {
  if (outcome.kind === 'failed')
    return {
      phase: 'ended',
      result: 'failed',
      reason: `No answer from Callbridge's SIP role: ${outcome.error.message}`,
    };
  const { status } = outcome.response;
  const reason = outcome.response.headers.get('Reason') ?? outcome.response.reason;
  return { phase: 'ended', result: resultOfStatus(status), finalStatus: status, reason };
}

/** 486/600 busy, 603 declined, 408/480/487 not answered, anything else failed. */
export function resultOfStatus(status: number): TestCallResult {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 408 || status === 480 || status === 487) return 'no-answer';
  return 'failed';
}
