/**
 * Posts one signed webhook: to the pinned address only (the custom `lookup` answers the checked address, so
 * the TLS check still runs against the host name), never following redirects, with a time limit and at most
 * 64 KiB of answer read (and then dropped: only the status code is kept).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveWebhookTarget, type WebhookAddressPolicy } from './webhook-address.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';

export interface WebhookAttempt {
  ok: boolean;
  /** The receiver's status code, null when there was no answer. */
  statusCode: number | null;
  /** Why it failed, in our words (never the receiver's answer body). */
  error: string | null;
}

export interface WebhookSendOptions extends WebhookAddressPolicy {
  timeoutMs: number;
  /** The most answer bytes read before the connection is dropped. */
  maxAnswerBytes: number;
}

export const SEND_DEFAULTS = { timeoutMs: 10_000, maxAnswerBytes: 64 * 1024 };

export async function sendWebhook(
  rawUrl: string,
  secret: string,
  body: string,
  headers: Record<string, string>,
  options: WebhookSendOptions,
): Promise<WebhookAttempt> {
  let target;
  try {
    target = await resolveWebhookTarget(rawUrl, options);
  } catch (error) {
    return { ok: false, statusCode: null, error: error instanceof Error ? error.message : String(error) };
  }
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const signature = signatureHeader(secret, body, Math.floor(Date.now() / 1000));
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise<WebhookAttempt>((resolve) => {
    let settled = false;
    const done = (attempt: WebhookAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(attempt);
    };
    const request = client.request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Callbridge-Webhooks/1',
          [SIGNATURE_HEADER]: signature,
          ...headers,
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let read = 0;
        const finish = () =>
          done(
            status >= 200 && status < 300
              ? { ok: true, statusCode: status, error: null }
              : {
                  ok: false,
                  statusCode: status,
                  error:
                    status >= 300 && status < 400
                      ? `The receiver answered ${status} (a redirect): redirects are not followed; give the final URL.`
                      : `The receiver answered ${status}.`,
                },
          );
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > options.maxAnswerBytes) finish();
        });
        response.on('end', finish);
        response.on('error', finish);
      },
    );
    const timer = setTimeout(
      () => done({ ok: false, statusCode: null, error: `No answer within ${options.timeoutMs / 1000} s.` }),
      options.timeoutMs,
    );
    request.on('error', (error) =>
      done({ ok: false, statusCode: null, error: `Could not deliver: ${error.message}` }),
    );
    request.end(body);
  });
}
