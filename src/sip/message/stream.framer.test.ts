import { describe, expect, it } from 'vitest';
import { isSipError } from '../sip.error.js';
import { CHALLENGE, REGISTER, TORTUOUS_INVITE } from './message.fixtures.js';
import { StreamFramer, type StreamEvent } from './stream.framer.js';

const stream = Buffer.from(REGISTER + TORTUOUS_INVITE + CHALLENGE);

function summarize(events: StreamEvent[]): string[] {
  return events.map((e) => {
    if (e.type !== 'message') return e.type;
    const m = e.message;
    return m.kind === 'request' ? `${m.method}:${m.body.length}` : `${m.status}:${m.body.length}`;
  });
}

describe('StreamFramer', () => {
  it('cuts three messages out of one chunk by Content-Length', () => {
    expect(summarize(new StreamFramer().push(stream))).toEqual(['REGISTER:0', 'INVITE:148', '401:0']);
  });

  it('yields the same messages when the stream arrives one byte at a time', () => {
    const framer = new StreamFramer();
    const events: StreamEvent[] = [];
    for (let i = 0; i < stream.length; i++) events.push(...framer.push(stream.subarray(i, i + 1)));
    expect(summarize(events)).toEqual(['REGISTER:0', 'INVITE:148', '401:0']);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('waits for a body that is still on its way', () => {
    const framer = new StreamFramer();
    const invite = Buffer.from(TORTUOUS_INVITE);
    expect(framer.push(invite.subarray(0, invite.length - 10))).toEqual([]);
    expect(summarize(framer.push(invite.subarray(invite.length - 10)))).toEqual(['INVITE:148']);
  });

  it('reports RFC 5626 keep-alive pings and pongs between messages', () => {
    const framer = new StreamFramer();
    const events = framer.push(Buffer.from('\r\n\r\n' + REGISTER + '\r\n'));
    expect(summarize(events)).toEqual(['ping', 'REGISTER:0', 'pong']);
  });

  it('gives up on a header section that never ends, holding no more than the limit', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 1024, maxBodyBytes: 1024, maxHeaders: 50 });
    const chunk = Buffer.from('INVITE sip:a@b SIP/2.0\r\nX: ' + 'a'.repeat(200));
    let code: string | undefined;
    try {
      for (let i = 0; i < 20; i++) framer.push(chunk);
    } catch (error) {
      code = isSipError(error) ? error.code : 'other';
    }
    expect(code).toBe('sip_message_too_large');
  });

  it('refuses a Content-Length above the body limit before reading the body', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 4096, maxBodyBytes: 100, maxHeaders: 50 });
    const text = REGISTER.replace('Content-Length: 0', 'Content-Length: 5000');
    expect(() => framer.push(Buffer.from(text))).toThrow(/exceeds/);
  });
});
