import { callerOf, graphError, ok, type EmResponse, type Route, type RouteContext } from './emulator.http.js';

/** Graph's limit of requests in one batch. */
export const MAX_BATCH_REQUESTS = 20;

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

function validate(body: unknown): InnerRequest[] | EmResponse {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return graphError(400, 'BadRequest', 'Invalid batch payload format.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    return graphError(
      400,
      'BadRequest',
      `The number of batch requests in the request body exceeds ${MAX_BATCH_REQUESTS}.`,
    );
  }
  const ids = new Set<string>();
  for (const r of requests as InnerRequest[]) {
    if (typeof r?.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') {
      return graphError(400, 'BadRequest', 'Each batch request needs id, method and url.');
    }
    if (ids.has(r.id)) return graphError(400, 'BadRequest', `Batch request ids must be unique: '${r.id}'.`);
    if (r.body !== undefined && !r.headers)
      return graphError(400, 'BadRequest', `Batch request '${r.id}' has a body but no headers.`);
    ids.add(r.id);
  }
  return requests as InnerRequest[];
}

/** `POST /$batch`: each inner request goes through faults and routing on its own; failed dependencies give 424. */
async function batch(ctx: RouteContext): Promise<EmResponse> {
  const caller = callerOf(ctx);
  const requests = validate(ctx.req.body);
  if (!Array.isArray(requests)) return requests;
  const version = ctx.req.path.split('/')[1];
  const statuses = new Map<string, number>();
  const responses: Record<string, unknown>[] = [];
  let delayMs = 0;
  for (const inner of requests) {
    if (inner.dependsOn?.some((id) => (statuses.get(id) ?? 424) >= 400)) {
      statuses.set(inner.id, 424);
      responses.push({
        id: inner.id,
        status: 424,
        body: graphError(424, 'FailedDependency', 'A request this one depends on failed.').body,
      });
      continue;
    }
    const url = new URL(`${ctx.req.baseUrl}/${version}${inner.url.startsWith('/') ? '' : '/'}${inner.url}`);
    const headers = Object.fromEntries(
      Object.entries(inner.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const answer = await ctx.dispatcher.handleAs(
      {
        method: inner.method.toUpperCase(),
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers,
        body: inner.body,
        baseUrl: ctx.req.baseUrl,
      },
      caller,
    );
    // A dropped inner request surfaces as a gateway timeout inside the batch.
    const status = answer.drop ? 504 : answer.status;
    delayMs += answer.delayMs ?? 0;
    statuses.set(inner.id, status);
    responses.push({
      id: inner.id,
      status,
      headers: { 'content-type': 'application/json', ...answer.headers },
      ...(answer.body !== undefined ? { body: answer.body } : {}),
    });
  }
  // Graph answers in any order: the emulator reverses it so clients cannot rely on the order.
  return { ...ok({ responses: responses.reverse() }), delayMs };
}

export const batchRoutes: Route[] = [
  { method: 'POST', pattern: /^\/(?:v1\.0|beta)\/\$batch$/, handler: batch },
];
