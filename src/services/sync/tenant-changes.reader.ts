import {
  GraphError,
  indexSkus,
  isWholeUser,
  type MicrosoftTenantClient,
  type SkuIndex,
  type TenantUserChange,
} from '../../microsoft/index.js';
import type { DegradedSteps } from './degraded-steps.js';
import { teamsSideOf, type TeamsSide } from './tenant-reader.js';

/** Above this many changed users, a full read is cheaper than per-user Teams reads. */
export const DELTA_USER_LIMIT = 5_000;
/** Teams reads start this long before the previous one began: clock skew and Microsoft's propagation. */
export const TEAMS_READ_OVERLAP_MS = 10 * 60_000;
const PER_USER_CONCURRENCY = 8;

/** What changed in the tenant since a cursor. */
export type TenantChanges =
  | {
      kind: 'changes';
      /**
       * Users changed in the directory (their Teams side, when not in `teams`, is the stored one). A known user
       * carries only the properties Microsoft sent (merge them onto the stored user); a user new to the service
       * is whole (read in full when the delta sent only part of it).
       */
      directory: Map<string, TenantUserChange>;
      /** Users deleted or gone from the delta's scope. */
      removed: Set<string>;
      /** The Teams side (number, account type, coexistence) of users changed in Teams, and of new users. */
      /** `coexistenceMode` is absent when it could not be read (the stored one stands). */
      teams: Map<string, TeamsSide & { coexistenceMode?: string | null }>;
      /** False when the coexistence modes could not be read. */
      coexistenceRead: boolean;
      skus: SkuIndex;
      deltaLink: string;
      requests: number;
    }
  | { kind: 'full_read_needed'; reason: string };

/**
 * Reads only what changed since the last run: the users delta from the stored deltaLink (directory changes), and
 * Teams configurations modified since the last Teams read (numbers are not directory data, so they never come in
 * the users delta). Only users new to the service and users changed in Teams get their coexistence mode (and, for
 * new users, their Teams configuration) read one by one; a user changed only in the directory keeps its stored
 * Teams side. Throws DeltaResyncRequiredError when Microsoft no longer knows the deltaLink.
 */
export async function readTenantChanges(
  client: MicrosoftTenantClient,
  since: { usersDeltaLink: string; teamsModifiedSince: string },
  isKnown: (objectIds: readonly string[]) => Promise<Set<string>>,
  log: (message: string) => void,
  degraded?: DegradedSteps,
): Promise<TenantChanges> {
  const skus = indexSkus(await client.listSubscribedSkus());
  let requests = 1;
  const changed = new Map<string, TenantUserChange>();
  const removed = new Set<string>();
  let deltaLink: string | null = null;
  for await (const page of client.readUsersDelta(since.usersDeltaLink)) {
    requests++;
    for (const user of page.changed) {
      removed.delete(user.id);
      // An update carries only what changed: occurrences merge, later properties winning.
      changed.set(user.id, { ...changed.get(user.id), ...user });
    }
    for (const gone of page.removed) {
      changed.delete(gone.id);
      removed.add(gone.id);
    }
    deltaLink = page.deltaLink ?? deltaLink;
    if (changed.size > DELTA_USER_LIMIT)
      return { kind: 'full_read_needed', reason: `more than ${DELTA_USER_LIMIT} users changed` };
  }
  const configs = new Map<string, TeamsSide>();
  try {
    for await (const page of client.listTeamsUserConfigurations({
      modifiedSince: since.teamsModifiedSince,
    })) {
      requests++;
      for (const config of page) configs.set(config.id, teamsSideOf(config));
      if (configs.size > DELTA_USER_LIMIT)
        return {
          kind: 'full_read_needed',
          reason: `more than ${DELTA_USER_LIMIT} Teams configurations changed`,
        };
    }
  } catch (error) {
    if (error instanceof GraphError && error.httpStatus === 400)
      return {
        kind: 'full_read_needed',
        reason: `Teams refused the modifiedDateTime filter (${error.message})`,
      };
    throw error;
  }
  const known = await isKnown([...changed.keys()]);
  requests += await completeUnknownUsers(client, changed, known);
  const newUsers = [...changed.keys()].filter((id) => !known.has(id) && !configs.has(id));
  if (newUsers.length > 0) {
    requests += Math.ceil(newUsers.length / 20);
    for (const [id, config] of await client.getTeamsUserConfigurations(newUsers))
      if (config) configs.set(id, teamsSideOf(config));
  }
  const ids = [...new Set([...newUsers, ...configs.keys()])].filter((id) => !removed.has(id));
  const modes = degraded
    ? await degraded.attempt(
        'reading coexistence modes (Teams admin API)',
        () => coexistenceModesOf(client, ids),
        null,
        'Coexistence modes keep their last known value (unknown for new users).',
      )
    : await coexistenceModesOf(client, ids);
  requests += ids.length;
  const teams = new Map<string, TeamsSide & { coexistenceMode?: string | null }>();
  for (const id of ids) {
    const side = configs.get(id) ?? { resource: false, guest: false, line: null };
    // Guests cannot hold a Direct Routing number; they are not synced.
    if (side.guest) changed.delete(id);
    else teams.set(id, modes ? { ...side, coexistenceMode: modes.get(id) ?? null } : side);
  }
  log(
    `Delta read: ${changed.size} user(s) changed and ${removed.size} removed in the directory; ${configs.size} Teams configuration(s) changed.`,
  );
  return {
    kind: 'changes',
    directory: changed,
    removed,
    teams,
    skus,
    deltaLink: deltaLink!,
    requests,
    coexistenceRead: modes !== null,
  };
}

/**
 * Users the service does not store yet but whom the delta sent only in part (updated since the delta position,
 * e.g. a Calling Plan user never stored) are read whole, so a missing property never reads as empty. Returns the
 * requests made.
 */
async function completeUnknownUsers(
  client: MicrosoftTenantClient,
  changed: Map<string, TenantUserChange>,
  known: ReadonlySet<string>,
): Promise<number> {
  const partial = [...changed.values()].filter((u) => !known.has(u.id) && !isWholeUser(u)).map((u) => u.id);
  if (partial.length === 0) return 0;
  const whole = new Map((await client.getUsers(partial)).map((u) => [u.id, u]));
  for (const id of partial) {
    const user = whole.get(id);
    if (user) changed.set(id, user);
    else changed.delete(id);
  }
  return Math.ceil(partial.length / 20);
}

async function coexistenceModesOf(
  client: MicrosoftTenantClient,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const modes = new Map<string, string | null>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const entry = await client.getCoexistenceMode(id);
      modes.set(id, entry ? (entry.mode ?? entry.rawMode) : null);
    }
  };
  await Promise.all(Array.from({ length: PER_USER_CONCURRENCY }, worker));
  return modes;
}
