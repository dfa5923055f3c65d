import {
  callerOf,
  decodeToken,
  encodeToken,
  graphError,
  ok,
  type EmResponse,
  type Route,
  type RouteContext,
} from './emulator.http.js';
import { selectOf, type Item } from './odata.query.js';
import { userJson } from './directory.routes.js';
import type { EmUser, Tombstone } from './tenant.state.js';

/** State inside a delta `$skiptoken` (mid-round) or `$deltatoken` (next round). */
interface DeltaState {
  /** Changes with a version at or above this are returned (0: everything, without removals). */
  since: number;
  /** Sequence when the round began: the next round starts from it (changes during paging come again). */
  round: number;
  offset: number;
  select: string[] | undefined;
  /** When the token was issued (ms), for the 7-day lifetime. */
  issued: number;
}

const pageSize = (ctx: RouteContext) => {
  const prefer = /odata\.maxpagesize=(\d+)/.exec(ctx.req.headers.prefer ?? '')?.[1];
  return Math.min(999, Math.max(1, Number(prefer ?? 200)));
};

type Change = { kind: 'user'; user: EmUser } | { kind: 'removed'; tombstone: Tombstone };

function changesSince(ctx: RouteContext, since: number): Change[] {
  const { tenant } = callerOf(ctx);
  const changes: Change[] = [];
  for (const user of tenant.userList()) if (user.version >= since) changes.push({ kind: 'user', user });
  if (since > 0) {
    for (const tombstone of tenant.tombstones.values()) {
      if (tombstone.version >= since) changes.push({ kind: 'removed', tombstone });
    }
  }
  return changes;
}

function link(ctx: RouteContext, param: '$skiptoken' | '$deltatoken', state: DeltaState): string {
  // Graph writes the `$` of the token parameter unencoded.
  return `${ctx.req.baseUrl}${ctx.req.path}?${param}=${encodeToken({ ...state })}`;
}

function resync(ctx: RouteContext, select: string[] | undefined): EmResponse {
  const url = new URL(`${ctx.req.baseUrl}${ctx.req.path}`);
  if (select) url.searchParams.set('$select', select.join(','));
  return graphError(
    410,
    'syncStateNotFound',
    'The sync state of the delta token was not found. Start a full synchronization.',
    {
      location: url.toString(),
    },
  );
}

/** `GET /users/delta`: full round without token, changes since the token otherwise; 410 when the token is too old. */
function usersDelta(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const { query } = ctx.req;
  const token = query.get('$deltatoken') ?? query.get('$skiptoken');
  let state: DeltaState;
  if (token === 'latest') {
    const fresh = {
      since: tenant.sequence,
      round: tenant.sequence,
      offset: 0,
      select: selectOf(query),
      issued: Date.now(),
    };
    return ok({ '@odata.deltaLink': link(ctx, '$deltatoken', fresh), value: [] });
  }
  if (token) {
    const saved = decodeToken<DeltaState>(token);
    if (
      !saved ||
      saved.round <= tenant.deltaResetSequence ||
      Date.now() - saved.issued > tenant.deltaTokenTtlMs
    ) {
      return resync(ctx, saved?.select ?? selectOf(query));
    }
    state = query.has('$deltatoken')
      ? { ...saved, since: saved.round, round: tenant.sequence, offset: 0 }
      : saved;
  } else {
    state = { since: 0, round: tenant.sequence, offset: 0, select: selectOf(query), issued: Date.now() };
  }
  return deltaPage(ctx, state);
}

function deltaPage(ctx: RouteContext, state: DeltaState): EmResponse {
  const { tenant } = callerOf(ctx);
  const changes = changesSince(ctx, state.since);
  const size = pageSize(ctx);
  // With the "deltaDuplicates" fault, each page repeats the previous page's last item, as Graph may.
  const start = tenant.deltaDuplicates && state.offset > 0 ? state.offset - 1 : state.offset;
  const slice = changes.slice(start, state.offset + size);
  const value: Item[] = slice.map((c) =>
    c.kind === 'user'
      ? deltaItemOf(c.user, state)
      : { id: c.tombstone.id, '@removed': { reason: c.tombstone.reason } },
  );
  const body: Item = { '@odata.context': `${ctx.req.baseUrl}/v1.0/$metadata#users` };
  const nextOffset = state.offset + size;
  if (nextOffset < changes.length) {
    body['@odata.nextLink'] = link(ctx, '$skiptoken', { ...state, offset: nextOffset });
  } else {
    body['@odata.deltaLink'] = link(ctx, '$deltatoken', { ...state, offset: 0, issued: Date.now() });
  }
  body.value = value;
  return ok(body);
}

/**
 * A user as a delta page carries it. Microsoft's delta query overview: "Updated instances are represented by
 * their id with at least the properties that have been updated". A user created since the last round (or the
 * first round) comes whole; a user updated since comes as its id and only the properties that changed.
 */
function deltaItemOf(user: EmUser, state: DeltaState): Item {
  const whole = userJson(user, state.select);
  if (state.since === 0 || user.createdVersion >= state.since) return whole;
  const item: Item = { id: user.id };
  for (const [property, version] of Object.entries(user.propertyVersions))
    if (version >= state.since && property in whole) item[property] = whole[property];
  return item;
}

export const deltaRoutes: Route[] = [
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/users\/delta(?:\(\))?$/, handler: usersDelta },
];
