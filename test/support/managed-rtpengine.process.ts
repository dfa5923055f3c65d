/**
 * A process that runs a ManagedRtpengine and prints its child's pid, for the test that kills this process with
 * SIGKILL and expects rtpengine to go with it. Arguments: ng port, first media port.
 */
import pino from 'pino';
import { ManagedRtpengine } from '../../src/media/rtpengine/managed-rtpengine.js';
import { RTPENGINE_BINARY } from '../../src/media/rtpengine/rtpengine-args.js';

const [ngPort, portMin] = process.argv.slice(2).map(Number);
const managed = new ManagedRtpengine({
  binary: RTPENGINE_BINARY,
  logger: pino({ level: 'silent' }),
  listen: {
    ngHost: '127.0.0.1',
    ngPort: ngPort ?? 0,
    mediaAddress: '127.0.0.1',
    portMin: portMin ?? 20000,
    portMax: (portMin ?? 20000) + 9,
  },
});
managed.start();
process.stdout.write(`${managed.pid}\n`);
setInterval(() => undefined, 1000);
