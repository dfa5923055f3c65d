import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CallEndpoint } from '../../src/sip/dialog/call.endpoint.js';
import type { IncomingCall } from '../../src/sip/dialog/incoming-call.js';
import { SipHeaders } from '../../src/sip/message/sip-headers.js';
import { randomToken } from '../../src/sip/message/sip-message.js';
import { TransportLayer } from '../../src/sip/transport/transport.layer.js';
import { freePort } from './support/kamailio.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** Our endpoint on a real UDP socket on loopback. */
async function ourEndpoint(onInvite?: (call: IncomingCall) => void) {
  const box: { endpoint?: CallEndpoint } = {};
  const transport = await TransportLayer.open(
    { host: '127.0.0.1' },
    { onMessage: (m) => box.endpoint?.receive(m) },
  );
  const endpoint = (box.endpoint = new CallEndpoint({
    transport,
    contact: (protocol) => `sip:callbridge@127.0.0.1:${transport.local(protocol).port}`,
    userAgent: 'Callbridge-test',
    onInvite,
  }));
  stops.push(
    () => transport.close(),
    () => endpoint.stop(),
  );
  return { endpoint, port: transport.local('udp').port };
}

/** Run sipp with a built-in scenario; resolves with its exit code and output. */
function sipp(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sipp', [...args, '-m', '1', '-timeout', '20s', '-nostdin', '-trace_err'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
    stops.push(() => void child.kill());
  });
}

describe.skipIf(!hasSipp)('INVITE transactions against sipp over UDP on loopback', () => {
  it('sipp calls us (uac scenario): 100 at once, our 180 and 200, its ACK and BYE answered', async () => {
    const ended: string[] = [];
    const { endpoint, port } = await ourEndpoint((call) => {
      call.ring(180);
      void call.accept({
        body: Buffer.from(
          'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n',
        ),
      });
    });
    endpoint.options.onDialogEnded = (_dialog, reason) => ended.push(reason);
    const run = await sipp([
      '-sn',
      'uac',
      '-i',
      '127.0.0.1',
      '-p',
      String(await freePort()),
      `127.0.0.1:${port}`,
    ]);
    expect(run.code, run.output).toBe(0);
    expect(ended).toEqual(['remote-bye']);
  });

  it('we call sipp (uas scenario): its 180 and 200, our ACK end to end, then its dialog takes our BYE', async () => {
    const { endpoint } = await ourEndpoint();
    const sippPort = await freePort();
    const uas = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippPort)]);
    await new Promise((r) => setTimeout(r, 300)); // sipp binds its socket
    const headers = new SipHeaders()
      .append('From', `<sip:callbridge@127.0.0.1>;tag=${randomToken(8)}`)
      .append('To', `<sip:service@127.0.0.1:${sippPort}>`)
      .append('Call-ID', randomToken(16))
      .append('CSeq', '1 INVITE')
      .append('Content-Type', 'application/sdp');
    const call = endpoint.invite(
      {
        kind: 'request',
        method: 'INVITE',
        uri: `sip:service@127.0.0.1:${sippPort}`,
        headers,
        body: Buffer.from(
          'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4002 RTP/AVP 0\r\n',
        ),
      },
      { target: { protocol: 'udp', address: '127.0.0.1', port: sippPort } },
    );
    const statuses: number[] = [];
    call.onProvisional = (response) => statuses.push(response.status);
    const outcome = await call.outcome;
    expect(outcome.kind).toBe('answered');
    expect(statuses).toContain(180);
    if (outcome.kind !== 'answered') return;
    const bye = await endpoint.dialogs.bye(outcome.dialog);
    expect(bye?.status).toBe(200);
    const run = await uas;
    expect(run.code, run.output).toBe(0);
  });
});
