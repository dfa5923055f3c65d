import { MiniRegistrar } from '../../test/sip/support/mini-registrar.js';

// A trivial digest registrar in its own process, so its memory does not count in the agent's figures.
// Users are the benchmark's: SIP username n, password pw<n>.
const registrar = await MiniRegistrar.start({ quiet: true, password: (user) => `pw${user}` });
process.stdout.write(`${registrar.port}\n`);
process.on('SIGTERM', () => process.exit(0));
// Exit with the parent too, even if it dies without signalling.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
