import { AppError } from '../domain/errors.js';
import { runBatched } from './graph.batch.js';
import { GraphError } from './graph.error.js';
import { pagesOf } from './graph.paging.js';
import {
  collectionItems,
  deltaLinkOf,
  isJson,
  nextLinkOf,
  parseRemoved,
  parseSku,
  parseUser,
  parseUserChange,
} from './graph.parsers.js';
import type { GraphTransport } from './graph.transport.js';
import {
  defaultUserSelect,
  type RemovedUser,
  type SubscribedSku,
  type TenantUser,
  type TenantUserChange,
  type UserDeltaPage,
} from './microsoft.types.js';
import type { PageOptions } from './tenant-client.js';

/** Microsoft no longer knows the delta token (expired after 7 days, or reset): read everything again. */
export class DeltaResyncRequiredError extends AppError {
  constructor(reason: string) {
    super('precondition_failed', `Microsoft asked for a full re-read of the users (${reason}).`, { reason });
    this.name = 'DeltaResyncRequiredError';
  }
}

/** Error codes that mean "the delta token is gone" (delta query overview: "Synchronization reset"). */
const resyncCodes = new Set([
  'syncstatenotfound',
  'syncstateinvalid',
  'resyncrequired',
  'resyncapplydifferences',
]);

function selectOf(options: Pick<PageOptions, 'select'> | undefined): string {
  return (options?.select ?? defaultUserSelect).join(',');
}

function usersOf(items: ReturnType<typeof collectionItems>): TenantUser[] {
  return items.flatMap((item) => parseUser(item) ?? []);
}

/** `GET /users` page by page. */
export async function* listUsers(
  transport: GraphTransport,
  options?: PageOptions,
): AsyncGenerator<TenantUser[]> {
  const top = options?.pageSize ?? 999;
  for await (const page of pagesOf(transport, {
    url: `/v1.0/users?$select=${selectOf(options)}&$top=${top}`,
  })) {
    yield usersOf(page.items);
  }
}

/** Transitive user members of a group; ConsistencyLevel: eventual is sent on every page. */
export async function* listGroupMembers(
  transport: GraphTransport,
  groupId: string,
  options?: PageOptions,
): AsyncGenerator<TenantUser[]> {
  const top = options?.pageSize ?? 999;
  const url =
    `/v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user` +
    `?$select=${selectOf(options)}&$top=${top}&$count=true`;
  for await (const page of pagesOf(transport, { url, headers: { ConsistencyLevel: 'eventual' } })) {
    yield usersOf(page.items);
  }
}

/**
 * Users by object id through `$batch` (`GET /users/{id}?$select=...`); a user Microsoft no longer knows (404) is
 * left out. Used for users a delta reports with only some properties when nothing about them is stored.
 */
export async function getUsers(
  transport: GraphTransport,
  ids: readonly string[],
  concurrency: number,
): Promise<TenantUser[]> {
  const select = selectOf(undefined);
  const items = ids.map((id) => ({
    method: 'GET' as const,
    url: `/users/${encodeURIComponent(id)}?$select=${select}`,
  }));
  const outcomes = await runBatched(transport, items, { concurrency });
  return outcomes.flatMap((outcome) => {
    if (outcome.status === 404) return [];
    if (outcome.error) throw outcome.error;
    return isJson(outcome.body) ? (parseUser(outcome.body) ?? []) : [];
  });
}

/** `GET /subscribedSkus`. */
export async function listSubscribedSkus(transport: GraphTransport): Promise<SubscribedSku[]> {
  const skus: SubscribedSku[] = [];
  for await (const page of pagesOf(transport, { url: '/v1.0/subscribedSkus' })) {
    for (const item of page.items) {
      const sku = parseSku(item);
      if (sku) skus.push(sku);
    }
  }
  return skus;
}

/**
 * `GET /users/delta`: from the start (`deltaLink` null) or from a persisted deltaLink. An updated user carries
 * only the properties that changed; within a page, an id seen twice has its occurrences merged in order (later
 * properties win); across pages the caller merges pages in order the same way.
 */
export async function* readUsersDelta(
  transport: GraphTransport,
  deltaLink: string | null,
  options?: PageOptions,
): AsyncGenerator<UserDeltaPage> {
  let url: string | null = deltaLink ?? `/v1.0/users/delta?$select=${selectOf(options)}`;
  // Delta takes no $top; Graph honours the Prefer header's page size on directory delta queries.
  const headers = options?.pageSize ? { Prefer: `odata.maxpagesize=${options.pageSize}` } : undefined;
  while (url) {
    const response = await sendDelta(transport, url, headers);
    const changed = new Map<string, TenantUserChange>();
    const removed = new Map<string, RemovedUser>();
    for (const item of collectionItems(response.body)) {
      const gone = parseRemoved(item);
      if (gone) {
        changed.delete(gone.id);
        removed.set(gone.id, gone);
        continue;
      }
      const user = parseUserChange(item);
      if (!user) continue;
      removed.delete(user.id);
      changed.set(user.id, { ...changed.get(user.id), ...user });
    }
    const finalLink = deltaLinkOf(response.body);
    yield { changed: [...changed.values()], removed: [...removed.values()], deltaLink: finalLink };
    url = finalLink ? null : nextLinkOf(response.body);
    if (!url && !finalLink)
      throw new AppError('upstream_failed', 'A delta page had neither nextLink nor deltaLink.');
  }
}

/** A deltaLink from now on (`$deltatoken=latest`): no users are read. */
export async function latestUsersDeltaLink(
  transport: GraphTransport,
  options?: PageOptions,
): Promise<string> {
  const response = await sendDelta(
    transport,
    `/v1.0/users/delta?$select=${selectOf(options)}&$deltatoken=latest`,
    undefined,
  );
  const link = deltaLinkOf(response.body);
  if (!link)
    throw new AppError('upstream_failed', 'Microsoft answered $deltatoken=latest without a deltaLink.');
  return link;
}

async function sendDelta(
  transport: GraphTransport,
  url: string,
  headers: Record<string, string> | undefined,
) {
  try {
    const response = await transport.send({ url, acceptStatuses: [410], ...(headers ? { headers } : {}) });
    if (response.status === 410) throw new DeltaResyncRequiredError('410 Gone');
    return response;
  } catch (error) {
    if (error instanceof GraphError && resyncCodes.has(error.graphCode.toLowerCase())) {
      throw new DeltaResyncRequiredError(error.graphCode);
    }
    throw error;
  }
}
