import { chunk, mapWithConcurrency } from './concurrency.js';
import { GraphError, parseGraphErrorBody } from './graph.error.js';
import { isJson } from './graph.parsers.js';
import type { GraphTransport } from './graph.transport.js';
import { isRetryableStatus, parseRetryAfter, realSleep, retryDelayMs, type Sleep } from './retry.policy.js';

/** Graph's limit of requests in one `$batch`. */
export const BATCH_LIMIT = 20;

/** One request inside a $batch; `url` is relative to the version (`/users/{id}`). */
export interface BatchItem {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The answer to one item, in the order of the input. */
export interface BatchOutcome {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Set when the status is an error after retries: Microsoft's code and message kept. */
  error: GraphError | undefined;
}

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Options of a batched run. */
export interface BatchOptions {
  version?: 'v1.0' | 'beta';
  /** Batches in flight at once. */
  concurrency?: number;
  sleep?: Sleep;
}

/**
 * Run many per-user requests through `POST /$batch`, 20 per batch, a few batches at once. Inner requests
 * throttled on their own (429/503/504 inside a 200 batch) are sent again, alone in a new batch, after their
 * Retry-After; other failures come back as outcomes carrying a GraphError.
 */
export async function runBatched(
  transport: GraphTransport,
  items: readonly BatchItem[],
  options: BatchOptions = {},
): Promise<BatchOutcome[]> {
  const version = options.version ?? 'v1.0';
  const sleep = options.sleep ?? realSleep;
  const outcomes = new Array<BatchOutcome>(items.length);
  const groups = chunk(
    items.map((item, index) => ({ item, index })),
    BATCH_LIMIT,
  );
  await mapWithConcurrency(groups, options.concurrency ?? 4, async (group) => {
    let pending = group;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const answers = await sendBatch(
        transport,
        version,
        pending.map((p) => p.item),
      );
      const retry: typeof pending = [];
      let waitMs = 0;
      pending.forEach((entry, position) => {
        const answer = answers.get(String(position));
        const status = answer?.status ?? 500;
        if (isRetryableStatus(status) && attempt < transport.retry.maxAttempts) {
          retry.push(entry);
          const retryAfter = parseRetryAfter(headerOf(answer?.headers, 'retry-after'));
          waitMs = Math.max(waitMs, retryDelayMs(transport.retry, attempt, retryAfter));
          return;
        }
        outcomes[entry.index] = toOutcome(answer, status, entry.item, version, transport);
      });
      if (retry.length > 0) await sleep(waitMs);
      pending = retry;
    }
  });
  return outcomes;
}

async function sendBatch(
  transport: GraphTransport,
  version: string,
  items: BatchItem[],
): Promise<Map<string, InnerResponse>> {
  const requests = items.map((item, position) => ({
    id: String(position),
    method: item.method,
    url: item.url,
    ...(item.body !== undefined
      ? { body: item.body, headers: { 'content-type': 'application/json', ...item.headers } }
      : item.headers
        ? { headers: item.headers }
        : {}),
  }));
  const response = await transport.send({
    method: 'POST',
    url: `/${version}/$batch`,
    body: { requests },
    idempotent: items.every((i) => i.method === 'GET'),
  });
  const answers = new Map<string, InnerResponse>();
  const list = isJson(response.body) && Array.isArray(response.body.responses) ? response.body.responses : [];
  for (const raw of list) {
    if (!isJson(raw) || typeof raw.id !== 'string') continue;
    const headers = isJson(raw.headers) ? (raw.headers as Record<string, string>) : {};
    answers.set(raw.id, { id: raw.id, status: Number(raw.status), headers, body: raw.body });
  }
  return answers;
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

function toOutcome(
  answer: InnerResponse | undefined,
  status: number,
  item: BatchItem,
  version: string,
  transport: GraphTransport,
): BatchOutcome {
  const headers = answer?.headers ?? {};
  const error =
    status >= 400
      ? new GraphError({
          status,
          body: parseGraphErrorBody(answer?.body, status),
          method: item.method,
          url: transport.resolve('graph', `/${version}${item.url}`),
        })
      : undefined;
  return { status, headers, body: answer?.body, error };
}
