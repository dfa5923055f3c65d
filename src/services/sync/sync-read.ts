import type { VoiceService } from '../../domain/records.js';
import type { TenantUserSnapshot } from '../../domain/sync/sync-plan.js';
import {
  DeltaResyncRequiredError,
  licenceFlagsOf,
  type MicrosoftTenantClient,
  type SkuIndex,
} from '../../microsoft/index.js';
import type { SyncCursor } from '../../store/repositories/sync-cursors.repository.js';
import type { UserSyncState } from '../../store/repositories/users.repository.js';
import { readTenantChanges, TEAMS_READ_OVERLAP_MS, type TenantChanges } from './tenant-changes.reader.js';
import { changedSnapshotOf, storedSnapshotOf } from './delta-merge.js';
import type { DegradedSteps } from './degraded-steps.js';
import { readTenant } from './tenant-reader.js';

/** A full read also happens this long after the last one: catches what no change feed reports. */
export const FULL_READ_EVERY_MS = 24 * 3600_000;

/** A portal user as the runner loads it. */
export type StoredUser = UserSyncState;

/** The portal's side, loaded as the read needs it: every user for a full read, the changed ones for a delta. */
export interface StoredUsers {
  all(): Promise<StoredUser[]>;
  /** Users with these object ids, and every user with a portal number not yet agreed with the tenant. */
  only(objectIds: readonly string[]): Promise<StoredUser[]>;
  /** Portal users without a tenant match created after `since`. */
  unmatchedSince(since: string): Promise<number>;
}

/** The tenant as a sync compares it, and the cursor to keep once the run is applied. */
export interface SyncRead {
  /** The tenant's users page by page (a full read streams them as Microsoft returns them). Iterate once. */
  pages: AsyncIterable<TenantUserSnapshot[]>;
  /** The portal users the plan covers (all of them after a full read). */
  portal: StoredUser[];
  /** SKU part numbers that include Teams Phone (delta reads: for the totals of unchanged users). */
  teamsPhoneParts: ReadonlySet<string>;
  full: boolean;
  /** Directory and Teams changes found by a delta read (0 on a full read). */
  changed: number;
  /** Large Tenant Mode with the Phone App: users in both a standard group and the Phone App group (not synced). */
  phoneAppConflicts: { objectId: string; email: string }[];
  cursor: SyncCursor;
}

/**
 * Why this run must read the whole tenant, or null when a delta read is enough.
 * @example fullReadReason(null, tenantId, service, users, new Date()) // 'first sync of this service'
 */
export function fullReadReason(
  cursor: SyncCursor | undefined,
  tenantId: string,
  service: VoiceService,
  now: Date,
  unmatchedSinceFullRead: number,
): string | null {
  if (!cursor) return 'first sync of this service';
  if (cursor.tenantId !== tenantId) return 'the tenant connection changed';
  if (!cursor.usersDeltaLink || !cursor.teamsReadAt) return 'no delta position kept';
  if (!cursor.fullReadAt) return 'the last sync could not read every value (a step did not complete)';
  if (service.teams.largeTenantMode) return 'Large Tenant Mode reads the chosen groups in full';
  // Settings such as the Phone App change every user's kind: stored users no longer stand for the tenant.
  if (service.updatedAt && Date.parse(service.updatedAt) > Date.parse(cursor.fullReadAt))
    return "the service's settings changed since the last full read";
  if (now.getTime() - Date.parse(cursor.fullReadAt) >= FULL_READ_EVERY_MS) return 'daily full read';
  // Users added in the portal (CSV import) are matched by email, which only a full read can do.
  if (unmatchedSinceFullRead > 0) return `${unmatchedSinceFullRead} portal user(s) to match with the tenant`;
  return null;
}

/**
 * Reads the tenant for a sync: in full (first sync, daily, or when the delta position is gone), else only what
 * changed since the last applied run, completed with the stored state of every unchanged user (their tenant
 * state is what both sides agreed at the last sync).
 */
export async function readForSync(
  client: MicrosoftTenantClient,
  service: VoiceService,
  cursor: SyncCursor | undefined,
  stored: StoredUsers,
  say: (message: string) => void,
  phoneAppActive = false,
  degraded?: DegradedSteps,
): Promise<SyncRead> {
  const startedAt = new Date();
  const unmatched = cursor?.fullReadAt ? await stored.unmatchedSince(cursor.fullReadAt) : 0;
  const reason = fullReadReason(cursor, client.tenantId, service, startedAt, unmatched);
  if (!reason && cursor) {
    const isKnown = async (ids: readonly string[]) =>
      new Set((await stored.only(ids)).flatMap((u) => (u.objectId ? [u.objectId] : [])));
    try {
      const changes = await readTenantChanges(
        client,
        {
          usersDeltaLink: cursor.usersDeltaLink!,
          teamsModifiedSince: new Date(Date.parse(cursor.teamsReadAt!) - TEAMS_READ_OVERLAP_MS).toISOString(),
        },
        isKnown,
        say,
        degraded,
      );
      if (changes.kind === 'changes') {
        const ids = [...changes.directory.keys(), ...changes.removed, ...changes.teams.keys()];
        return mergeChanges(changes, await stored.only(ids), cursor, startedAt, phoneAppActive);
      }
      say(`Reading the whole tenant: ${changes.reason}.`);
    } catch (error) {
      if (!(error instanceof DeltaResyncRequiredError)) throw error;
      say(`Reading the whole tenant: ${error.message}`);
    }
  } else if (reason) {
    say(`Reading the whole tenant: ${reason}.`);
  }
  return fullRead(client, service, await stored.all(), startedAt, say, phoneAppActive, degraded);
}

async function fullRead(
  client: MicrosoftTenantClient,
  service: VoiceService,
  portal: StoredUser[],
  startedAt: Date,
  say: (message: string) => void,
  phoneAppActive: boolean,
  degraded: DegradedSteps | undefined,
): Promise<SyncRead> {
  // Taken before the read: changes made while reading come again in the next delta (applying twice is harmless).
  const usersDeltaLink = await client.latestUsersDeltaLink().catch((error: unknown) => {
    say(
      `No delta position from Microsoft (${error instanceof Error ? error.message : String(error)}); the next sync reads everything again.`,
    );
    return null;
  });
  const tenant = await readTenant(client, service.teams, say, phoneAppActive, degraded);
  const at = startedAt.toISOString();
  return {
    pages: tenant.coexistenceRead ? tenant.pages : keepStoredCoexistence(tenant.pages, portal),
    portal,
    teamsPhoneParts: new Set(),
    full: true,
    changed: 0,
    phoneAppConflicts: tenant.phoneAppConflicts,
    cursor: {
      serviceId: service.id,
      tenantId: client.tenantId,
      usersDeltaLink,
      teamsReadAt: at,
      // Coexistence modes not read: the next run reads the whole tenant again (a delta would not re-read them).
      fullReadAt: tenant.coexistenceRead ? at : null,
    },
  };
}

/** Coexistence modes that could not be read keep the stored (last known) value; new users' stay unknown. */
async function* keepStoredCoexistence(
  pages: AsyncIterable<TenantUserSnapshot[]>,
  portal: StoredUser[],
): AsyncGenerator<TenantUserSnapshot[]> {
  const stored = new Map(
    portal.flatMap((u) => (u.objectId ? [[u.objectId, u.coexistenceMode] as const] : [])),
  );
  for await (const users of pages) {
    for (const user of users) user.coexistenceMode = stored.get(user.objectId) ?? null;
    yield users;
  }
}

function mergeChanges(
  changes: Extract<TenantChanges, { kind: 'changes' }>,
  portal: StoredUser[],
  cursor: SyncCursor,
  startedAt: Date,
  phoneAppActive: boolean,
): SyncRead {
  const storedByObject = new Map(portal.flatMap((u) => (u.objectId ? [[u.objectId, u] as const] : [])));
  const users: TenantUserSnapshot[] = [];
  const teamsPhoneByPart = teamsPhonePartNumbers(changes.skus);
  for (const [id, change] of changes.directory) {
    users.push(
      changedSnapshotOf(change, storedByObject.get(id), changes.teams.get(id), {
        skus: changes.skus,
        teamsPhoneByPart,
        phoneAppActive,
      }),
    );
  }
  for (const stored of portal) {
    const id = stored.objectId;
    if (!id || changes.directory.has(id) || changes.removed.has(id) || stored.tenantState === 'removed')
      continue;
    users.push(storedSnapshotOf(stored, teamsPhoneByPart, changes.teams.get(id)));
  }
  return {
    pages: onePage(users),
    portal,
    teamsPhoneParts: teamsPhoneByPart,
    full: false,
    phoneAppConflicts: [],
    changed: new Set([...changes.directory.keys(), ...changes.removed, ...changes.teams.keys()]).size,
    cursor: {
      ...cursor,
      usersDeltaLink: changes.deltaLink,
      teamsReadAt: startedAt.toISOString(),
      // Coexistence modes not read: the next run reads the whole tenant, modes included.
      ...(changes.coexistenceRead ? {} : { fullReadAt: null }),
    },
  };
}

/** SKU part numbers that include Teams Phone (disabled plans of one assignment are not known here). */
function teamsPhonePartNumbers(skus: SkuIndex): Set<string> {
  const parts = new Set<string>();
  for (const sku of skus.values()) {
    const flags = licenceFlagsOf({ assignedLicenses: [{ skuId: sku.skuId, disabledPlans: [] }] }, skus);
    if (flags.hasTeamsPhone) parts.add(sku.skuPartNumber);
  }
  return parts;
}

async function* onePage<T>(items: T[]): AsyncGenerator<T[]> {
  yield items;
}
