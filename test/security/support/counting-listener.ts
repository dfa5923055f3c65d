import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link CountingListener} received, with its body as text. */
export interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A loopback HTTP server that records everything sent to it: the "attacker's host" of the security tests. */
export interface CountingListener {
  url: string;
  received: Received[];
  /** Whether any request carried the text anywhere (URL, authorization header or body). */
  sawText(text: string): boolean;
  close(): Promise<void>;
}

/**
 * Starts the listener on 127.0.0.1 with a free port. `answer` decides the response (default: 404 with a JSON
 * error), so a test can also play a hostile "Graph" that points its callers elsewhere.
 */
export async function startCountingListener(
  answer: (req: Received, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"nothing here"}');
  },
): Promise<CountingListener> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    sawText: (text) =>
      received.some(
        (r) => r.url.includes(text) || (r.authorization ?? '').includes(text) || r.body.includes(text),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
