import type { GraphRequest, GraphTransport } from './graph.transport.js';
import { collectionItems, nextLinkOf, type Json } from './graph.parsers.js';

/** One page of a collection, with the raw body for callers that need annotations (deltaLink). */
export interface RawPage {
  items: Json[];
  body: unknown;
}

/**
 * Follow `@odata.nextLink` (verbatim, with the same headers, e.g. ConsistencyLevel) until absent.
 * Pages may be empty; they are still yielded so progress can be shown.
 * @example for await (const page of pagesOf(transport, { url: '/v1.0/users?$top=999' })) count += page.items.length;
 */
export async function* pagesOf(transport: GraphTransport, first: GraphRequest): AsyncGenerator<RawPage> {
  let request: GraphRequest | null = first;
  while (request) {
    const response = await transport.send(request);
    yield { items: collectionItems(response.body), body: response.body };
    const next = nextLinkOf(response.body);
    request = next ? { ...first, url: next } : null;
  }
}

/**
 * Pages of `$top`/`$skip` collections that give no nextLink (the Teams number inventory): ask for the next
 * `$skip` until a page comes back shorter than `$top`.
 */
export async function* skipPagesOf(
  transport: GraphTransport,
  first: GraphRequest,
  pageSize: number,
): AsyncGenerator<RawPage> {
  for (let skip = 0; ; skip += pageSize) {
    const separator = first.url.includes('?') ? '&' : '?';
    const response = await transport.send({
      ...first,
      url: `${first.url}${separator}$top=${pageSize}&$skip=${skip}`,
    });
    const items = collectionItems(response.body);
    yield { items, body: response.body };
    const next = nextLinkOf(response.body);
    if (next) {
      yield* pagesOf(transport, { ...first, url: next });
      return;
    }
    if (items.length < pageSize) return;
  }
}
