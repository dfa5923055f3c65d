import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../message/message.parser.js';
import { SipHeaders } from '../message/sip-headers.js';
import type { SipRequest } from '../message/sip-message.js';
import { SipStack } from './sip.stack.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A bare UDP socket standing for the PBX: collects what arrives, answers what it is told to. */
async function peer(): Promise<{ socket: Socket; port: number; received: Buffer[] }> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (data) => received.push(data));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { socket, port: socket.address().port, received };
}

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 3000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const LINES = [
  ['From', '<sip:1001@pbx.test>;tag=abc'],
  ['To', '<sip:1001@pbx.test>'],
  ['Call-ID', 'call-1'],
  ['CSeq', '7 REGISTER'],
  ['Contact', '<sip:cb1@127.0.0.1:5060>'],
  ['Expires', '3600'],
] as const;

describe('SipStack.requestText', () => {
  it('sends the very bytes request() sends for the same headers (but the branch), and resolves with the answer', async () => {
    const pbx = await peer();
    const stack = await SipStack.start({ host: '127.0.0.1', userAgent: 'Test-UA' });
    cleanups.push(() => stack.stop());
    const target = { protocol: 'udp' as const, address: '127.0.0.1', port: pbx.port };
    const request: SipRequest = {
      kind: 'request',
      method: 'REGISTER',
      uri: 'sip:pbx.test',
      headers: SipHeaders.of(LINES),
      body: Buffer.alloc(0),
    };
    const viaRequest = stack.request(request, target);
    const text = LINES.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    const viaText = stack.requestText('REGISTER sip:pbx.test SIP/2.0', text, target);
    await until(() => pbx.received.length >= 2);
    const withoutBranch = (data: Buffer) => data.toString().replace(/branch=z9hG4bK[0-9a-z]+/, 'branch=B');
    expect(withoutBranch(pbx.received[1]!)).toBe(withoutBranch(pbx.received[0]!));
    const sent = parseMessage(pbx.received[1]!) as SipRequest;
    expect(sent.headers.get('User-Agent')).toBe('Test-UA');
    expect(sent.headers.get('Max-Forwards')).toBe('70');

    for (const data of pbx.received.slice(0, 2)) {
      const asked = parseMessage(data) as SipRequest;
      const answer =
        `SIP/2.0 200 OK\r\nVia: ${asked.headers.get('Via')}\r\nFrom: ${asked.headers.get('From')}\r\n` +
        `To: ${asked.headers.get('To')};tag=pbx\r\nCall-ID: call-1\r\nCSeq: 7 REGISTER\r\nContent-Length: 0\r\n\r\n`;
      pbx.socket.send(answer, stack.local('udp').port, '127.0.0.1');
    }
    expect((await viaText).status).toBe(200);
    expect((await viaRequest).status).toBe(200);
  });

  it('rejects with sip_stack_stopped once the stack is stopped', async () => {
    const stack = await SipStack.start({ host: '127.0.0.1' });
    await stack.stop();
    await expect(
      stack.requestText('REGISTER sip:pbx.test SIP/2.0', 'Call-ID: x\r\n', {
        protocol: 'udp',
        address: '127.0.0.1',
        port: 9,
      }),
    ).rejects.toMatchObject({ code: 'sip_stack_stopped' });
  });
});
