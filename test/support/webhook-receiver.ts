import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/alerts/webhook/webhook-signature.js';

/** A webhook as a receiver got it, with whether its signature checked out against the receiver's secret. */
export interface ReceivedHook {
  event: string | undefined;
  body: { type: string; alert: { id: string; kind: string; state: string; accountId: string | null } };
  signatureValid: boolean;
}

/**
 * A real HTTP receiver on loopback that checks each request's Callbridge-Signature with `secret` (as a customer's
 * receiver would) and answers the statuses queued in `answers` (then 200).
 */
export async function startWebhookReceiver(secret: string) {
  const received: ReceivedHook[] = [];
  const answers: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({
        event: req.headers['callbridge-event'] as string | undefined,
        body: JSON.parse(raw) as ReceivedHook['body'],
        signatureValid: verifySignature(
          secret,
          raw,
          String(req.headers['callbridge-signature'] ?? ''),
          Math.floor(Date.now() / 1000),
        ),
      });
      const answer = answers.shift() ?? { status: 200 };
      res.writeHead(answer.status, answer.headers).end(answer.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/callbridge`,
    port,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
