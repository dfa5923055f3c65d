import { RegistrationAgent } from '../../../src/sip/registration/registration.agent.js';
import { SipStack } from '../../../src/sip/stack/sip.stack.js';
import { MiniRegistrar } from './mini-registrar.js';

/**
 * A registration agent on a loopback SIP stack beside a mini registrar, for unit tests of what sits on the agent;
 * the teardown (agent, stack, registrar, in that order) is pushed onto `stops`.
 */
export async function loopbackAgent(stops: (() => Promise<void>)[]) {
  const registrar = await MiniRegistrar.start();
  const stack = await SipStack.start({ host: '127.0.0.1' });
  const agent = new RegistrationAgent(stack, { onState: () => undefined }, { ratePerSecond: 1000 });
  stops.push(async () => {
    await agent.stop();
    await stack.stop();
    await registrar.stop();
  });
  return { registrar, stack, agent };
}
