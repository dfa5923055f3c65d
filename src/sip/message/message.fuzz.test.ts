import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSipError } from '../sip.error.js';
import { ALL_FIXTURES } from './message.fixtures.js';
import { parseMessage } from './message.parser.js';
import { serializeMessage } from './message.serializer.js';
import { StreamFramer } from './stream.framer.js';

/** Runs `fn`; passes when it returns or throws a SipError, fails on any other throw or on a slow run (a hang). */
function onlyTypedErrors(fn: () => void): void {
  const started = performance.now();
  try {
    fn();
  } catch (error) {
    if (!isSipError(error)) throw error;
  }
  // Generous for a loaded CI machine; a backtracking regex on these inputs takes far longer.
  expect(performance.now() - started).toBeLessThan(1000);
}

const fixtures = ALL_FIXTURES.map((f) => Buffer.from(f));

/** One mutation of a real message: flip, insert, delete, duplicate a slice, or truncate. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('insertText' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '\r\n',
      ' ',
      ':',
      ';',
      ',',
      '"',
      '<',
      '>',
      '\r\n ',
      'Content-Length: 99999\r\n',
      '=',
      '\u00ff',
      'SIP/2.0',
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : m.at % buf.length;
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(buf);
      if (copy.length > 0) copy[at] = m.byte;
      return copy;
    }
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    case 'insertText':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.text, 'latin1'), buf.subarray(at)]);
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
    case 'duplicate':
      return Buffer.concat([buf.subarray(0, at + m.length), buf.subarray(at)]);
    case 'truncate':
      return buf.subarray(0, at);
  }
}

const mutatedMessage = fc
  .tuple(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 8 }))
  .map(([base, ms]) => ms.reduce(mutate, base));

describe('parser fuzzing', () => {
  it('random bytes: parse returns or throws SipError, quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) =>
        onlyTypedErrors(() => parseMessage(Buffer.from(bytes))),
      ),
      { numRuns: 2000 },
    );
  });

  it('mutated real messages: parse returns or throws SipError, and what parses re-serializes and re-parses', () => {
    fc.assert(
      fc.property(mutatedMessage, (buf) =>
        onlyTypedErrors(() => {
          const message = parseMessage(buf);
          const again = parseMessage(serializeMessage(message));
          expect(again.headers.get('Call-ID')).toBe(message.headers.get('Call-ID'));
        }),
      ),
      { numRuns: 3000 },
    );
  });

  it('long runs of a single character do not make the parser slow', () => {
    for (const ch of [' ', ';', '"', '<', ',', '\t', ':', '\r\n ', 'a']) {
      const text = `REGISTER sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;${ch.repeat(10_000)}\r\nTo: ${ch.repeat(10_000)}\r\n\r\n`;
      onlyTypedErrors(() => parseMessage(Buffer.from(text)));
    }
  });
});

describe('framer fuzzing', () => {
  it('random byte streams in random chunks: only SipError, and memory held stays within the limits', () => {
    const limits = { maxHeaderBytes: 2048, maxBodyBytes: 2048, maxHeaders: 50 };
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 30 }), (chunks) => {
        const framer = new StreamFramer(limits);
        onlyTypedErrors(() => {
          for (const chunk of chunks) {
            framer.push(Buffer.from(chunk));
            expect(framer.bufferedBytes).toBeLessThanOrEqual(
              limits.maxHeaderBytes + limits.maxBodyBytes + 512,
            );
          }
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('valid messages cut at random points come out whole and in order', () => {
    const stream = Buffer.concat(fixtures);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const framer = new StreamFramer();
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const ids: string[] = [];
          for (let i = 1; i < points.length; i++) {
            for (const e of framer.push(stream.subarray(points[i - 1], points[i]))) {
              if (e.type === 'message') ids.push(e.message.headers.get('Call-ID') ?? '');
            }
          }
          expect(ids).toEqual(fixtures.map((f) => parseMessage(f).headers.get('Call-ID')));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('mutated messages on a stream: only SipError', () => {
    fc.assert(
      fc.property(fc.array(mutatedMessage, { minLength: 1, maxLength: 4 }), (bufs) =>
        onlyTypedErrors(() => void new StreamFramer().push(Buffer.concat(bufs))),
      ),
      { numRuns: 1000 },
    );
  });
});
