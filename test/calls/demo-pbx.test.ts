import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoPbx } from '../../src/demo/demo-pbx.js';
import { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import { CallEndpoint } from '../../src/sip/dialog/call.endpoint.js';
import type { CallOutcome } from '../../src/sip/dialog/endpoint.types.js';
import { SipHeaders } from '../../src/sip/message/sip-headers.js';
import { randomToken } from '../../src/sip/message/sip-message.js';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { until } from './support/b2bua-harness.js';

/**
 * The demo PBX on its own (issue 17 demo): digest registration with the extension's password (a wrong one fails),
 * extension 2000 answers with a 440 Hz tone, 2001 sends the caller's audio back, other numbers get 404.
 */
describe('the demo PBX', () => {
  let pbx: DemoPbx;
  let stack: SipStack;
  let phone: CallEndpoint;
  let agent: RegistrationAgent;
  let regStack: SipStack;
  const states = new Map<string, string>();

  beforeAll(async () => {
    pbx = await DemoPbx.start({ passwordOf: (u) => (u === '441234500001' ? 'right-password' : undefined) });
    stack = await SipStack.start({ host: '127.0.0.1' });
    const transport = stack.attachCalls((inbound) => phone.receive(inbound));
    phone = new CallEndpoint({ transport, contact: () => `sip:phone@127.0.0.1:${stack.local('udp').port}` });
    regStack = await SipStack.start({ host: '127.0.0.1' });
    agent = new RegistrationAgent(
      regStack,
      { onState: (id, s) => void states.set(id, s.state) },
      { ratePerSecond: 50 },
    );
  });
  afterAll(async () => {
    await agent?.stop();
    await regStack?.stop();
    phone?.stop();
    await stack?.stop();
    await pbx?.stop();
  });

  const register = (id: string, password: string) =>
    agent.upsert({
      id,
      service: {
        sipDomain: 'pbx.demo',
        proxyHost: '127.0.0.1',
        proxyPort: pbx.port,
        transport: 'udp',
        expirySeconds: 300,
      },
      sipUsername: '441234500001',
      authUsername: '441234500001',
      password,
      enabled: true,
    });

  it('registers an extension with its password and refuses a wrong one', async () => {
    register('wrong', 'not-the-password');
    await until(() => states.get('wrong') === 'failed', 5000);
    expect(states.get('wrong')).toBe('failed');
    register('right', 'right-password');
    await until(() => states.get('right') === 'registered', 5000);
    expect(pbx.registrations().map((b) => b.username)).toEqual(['441234500001']);
  });

  /** Call `number` with a peer sending a 1000 Hz tone; answers the outcome and the peer after two seconds. */
  async function call(number: string): Promise<{ outcome: CallOutcome; peer: RtpPeer }> {
    const peer = await RtpPeer.open({ toneHz: 1000 });
    const uri = `sip:${number}@127.0.0.1:${pbx.port}`;
    const headers = new SipHeaders()
      .append('From', `<sip:phone@127.0.0.1>;tag=${randomToken(8)}`)
      .append('To', `<${uri}>`)
      .append('Call-ID', randomToken(16))
      .append('CSeq', '1 INVITE')
      .append('Content-Type', 'application/sdp');
    const outgoing = phone.invite(
      { kind: 'request', method: 'INVITE', uri, headers, body: Buffer.from(peer.sdp()) },
      { target: { protocol: 'udp', address: '127.0.0.1', port: pbx.port } },
    );
    const outcome = await outgoing.outcome;
    if (outcome.kind === 'answered') {
      peer.setRemote(outcome.response.body.toString());
      peer.start();
      await new Promise((r) => setTimeout(r, 2000));
      peer.stop();
      await phone.dialogs.bye(outcome.dialog);
    }
    peer.close();
    return { outcome, peer };
  }

  it('2000 answers with a 440 Hz tone', async () => {
    const { outcome, peer } = await call('2000');
    expect(outcome.kind).toBe('answered');
    expect(peer.counts.received).toBeGreaterThan(50);
    expect(peer.toneFraction(440)).toBeGreaterThan(0.9);
    await until(() => pbx.activeCalls === 0, 3000);
    expect(pbx.activeCalls).toBe(0);
  });

  it('2001 echoes the caller: the caller hears its own 1000 Hz tone', async () => {
    const { outcome, peer } = await call('2001');
    expect(outcome.kind).toBe('answered');
    expect(peer.counts.received).toBeGreaterThan(50);
    expect(peer.toneFraction(1000)).toBeGreaterThan(0.9);
  });

  it('another number is refused 404, saying which extensions answer', async () => {
    const { outcome } = await call('2999');
    expect(outcome.kind).toBe('rejected');
    if (outcome.kind !== 'rejected') return;
    expect(outcome.response.status).toBe(404);
    expect(outcome.response.headers.get('Reason')).toContain('2000 (tone) and 2001 (echo)');
  });
});
