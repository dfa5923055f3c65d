import { isAppError } from '../../domain/errors.js';
import { SIP_CREDENTIALS_MISSING } from '../../domain/registration-readiness.js';
import { formatLineUri, formatNumberWithExtension } from '../../domain/numbers/e164.js';
import type { Actor, SyncLogLine, SyncRun, User, VoiceService } from '../../domain/records.js';
import {
  planSync,
  type PortalUserSnapshot,
  type SyncChange,
  type SyncPlan,
} from '../../domain/sync/sync-plan.js';
import type { MicrosoftTenantClient } from '../../microsoft/index.js';
import type { UserSyncState } from '../../store/repositories/users.repository.js';
import type { Store } from '../../store/store.js';
import type { TenantConnectionsService } from '../tenant-connections.service.js';
import type { CarrierSetup } from './carrier-setup.js';
import { readForSync, type StoredUsers, type SyncRead } from './sync-read.js';

const WRITE_CONCURRENCY = 4;
/** New users inserted per transaction, and how often progress (the job's heartbeat) is recorded. */
const ADD_CHUNK = 500;

/** The line form both sides compare: `+E164` or `+E164;ext=N`. */
export function lineOf(user: Pick<User, 'phoneNumber' | 'extension'>): string | null {
  return user.phoneNumber ? formatNumberWithExtension(user.phoneNumber, user.extension) : null;
}

function splitLine(line: string | null): { phoneNumber: string | null; extension: string | null } {
  if (!line) return { phoneNumber: null, extension: null };
  const [number = '', ext] = line.replace(/^tel:/i, '').split(';ext=');
  return { phoneNumber: number, extension: ext ?? null };
}

/**
 * Carries out one sync run: read the tenant, plan against the portal, then (unless a dry run) apply each change.
 * Every write is idempotent, so a run that dies is simply run again by the next worker and converges: the plan is
 * recomputed from what was already applied. A per-user failure is recorded on the user and does not stop the run.
 */
export class SyncRunner {
  constructor(
    private readonly store: Store,
    private readonly connections: TenantConnectionsService,
    private readonly carrier: CarrierSetup,
  ) {}

  async run(
    run: SyncRun,
    onProgress: (progress: Record<string, unknown>) => Promise<void>,
  ): Promise<SyncRun['state']> {
    const log: SyncLogLine[] = [];
    const say = (message: string, level: SyncLogLine['level'] = 'info', userId?: string) =>
      log.push({ at: new Date().toISOString(), level, message, ...(userId && { userId }) });
    await this.store.repos.syncRuns.update(run.id, {
      state: 'running',
      startedAt: new Date().toISOString(),
      error: null,
    });
    try {
      const service = await this.store.repos.services.findById(run.accountId, run.serviceId);
      if (!service) throw new Error(`Service ${run.serviceId} no longer exists.`);
      // Diagnostic mode: every exchange with Microsoft goes into the run's log (the client removes secrets and tokens).
      const client = await this.connections.clientFor(
        run.accountId,
        run.diagnostic
          ? {
              onExchange: (x) =>
                say(
                  `${x.method} ${x.url} -> ${x.status ?? x.error ?? 'no answer'} (${x.ms} ms, attempt ${x.attempt})${x.responseBody ? `\n${x.responseBody.slice(0, 2000)}` : ''}`,
                ),
            }
          : {},
      );
      say(`${run.dryRun ? 'Dry run' : 'Sync'} of "${service.name}" started by ${run.startedBy}.`);
      await onProgress({ phase: 'reading' });
      const cursor = await this.store.repos.syncCursors.find(run.accountId, run.serviceId);
      const tenant = await readForSync(client, service, cursor, this.storedUsers(run), say);
      await onProgress({ phase: 'planning', tenantUsers: tenant.users.length });
      const plan = planSync(tenant.users, tenant.portal.map(toPortalSnapshot));
      say(`Planned ${plan.changes.length} change(s).`);
      if (run.dryRun) {
        const counters = await this.countersOf(run, plan, tenant);
        say(`Dry run: ${describe(plan)}. Nothing was changed.`);
        return await this.finish(
          run,
          counters,
          plan,
          log,
          plan.counters.conflicts > 0 ? 'warning' : 'succeeded',
        );
      }
      const setup = await this.carrier.ensure(run.accountId, service.id, client, say);
      const policy = setup.policyReady ? this.carrier.names(service.id).voiceRoutingPolicy : null;
      await onProgress({ phase: 'applying', changes: plan.changes.length });
      await this.apply(run, service, client, plan, policy, say, onProgress);
      // Only an applied run moves the read position: a run that dies reads the same changes again.
      await this.store.repos.syncCursors.save(run.accountId, tenant.cursor);
      const counters = await this.countersOf(run, plan, tenant);
      say(`Finished: ${describe(plan)}.`);
      const state = plan.counters.errors > 0 || plan.counters.conflicts > 0 ? 'warning' : 'succeeded';
      return await this.finish(run, counters, plan, log, state);
    } catch (error) {
      const message = isAppError(error) || error instanceof Error ? error.message : String(error);
      say(`The sync failed: ${message}`, 'error');
      await this.store.repos.syncRuns.update(run.id, {
        state: 'failed',
        finishedAt: new Date().toISOString(),
        log,
        error: message,
      });
      return 'failed';
    }
  }

  private storedUsers(run: SyncRun): StoredUsers {
    const { users } = this.store.repos;
    return {
      all: () => users.listSyncStates(run.accountId, run.serviceId),
      only: (objectIds) => users.listSyncStates(run.accountId, run.serviceId, { objectIds }),
      unmatchedSince: (since) => users.countUnmatchedSince(run.accountId, run.serviceId, since),
    };
  }

  /**
   * The run's counters. A delta read plans only the changed users, so the tenant totals come from the stored
   * users (after applying: then they are the tenant's state); Calling Plan users, never stored, are counted only
   * when they changed. `fullRead` says which kind of read it was.
   */
  private async countersOf(run: SyncRun, plan: SyncPlan, read: SyncRead): Promise<Record<string, number>> {
    const counters: Record<string, number> = {
      ...plan.counters,
      fullRead: read.full ? 1 : 0,
      tenantChanges: read.changed,
    };
    if (read.full) return counters;
    const totals = { total: 0, licensed: 0, teamsPhone: 0, resourceAccounts: 0 };
    for (const group of await this.store.repos.users.syncTotals(run.accountId, run.serviceId)) {
      if (group.tenantState !== 'active') continue;
      totals.total += group.count;
      if (group.licences.length > 0) totals.licensed += group.count;
      if (group.licences.some((part) => read.teamsPhoneParts.has(part))) totals.teamsPhone += group.count;
      if (group.kind === 'resource_account') totals.resourceAccounts += group.count;
    }
    Object.assign(plan.counters, totals);
    return { ...counters, ...totals };
  }

  private async finish(
    run: SyncRun,
    counters: Record<string, number>,
    plan: SyncPlan,
    log: SyncLogLine[],
    state: SyncRun['state'],
  ): Promise<SyncRun['state']> {
    await this.store.repos.syncRuns.update(run.id, {
      state,
      finishedAt: new Date().toISOString(),
      counters: { ...counters },
      plan: plan.changes,
      log,
    });
    return state;
  }

  private async apply(
    run: SyncRun,
    service: VoiceService,
    client: MicrosoftTenantClient,
    plan: SyncPlan,
    policy: string | null,
    say: (m: string, l?: SyncLogLine['level'], u?: string) => void,
    progress: (progress: Record<string, unknown>) => Promise<void>,
  ): Promise<void> {
    const actor: Actor = { type: 'system', id: null, label: `sync ${run.id}`, source: 'sync' };
    const writes: Extract<SyncChange, { type: 'write_number' }>[] = [];
    const adds: Extract<SyncChange, { type: 'add' }>[] = [];
    let done = 0;
    for (const change of plan.changes) {
      if (change.type === 'write_number') writes.push(change);
      else if (change.type === 'add') adds.push(change);
      else await this.applyLocal(run, change, actor, say);
      if (++done % ADD_CHUNK === 0) await progress({ phase: 'applying', done, of: plan.changes.length });
    }
    for (let i = 0; i < adds.length; i += ADD_CHUNK) {
      await this.addUsers(run, service, adds.slice(i, i + ADD_CHUNK), actor);
      await progress({ phase: 'adding', done: Math.min(i + ADD_CHUNK, adds.length), of: adds.length });
    }
    let next = 0;
    const worker = async () => {
      while (next < writes.length) {
        const change = writes[next++]!;
        const ok = await this.writeNumber(run, client, change, policy, say);
        if (ok) plan.counters.written++;
        else plan.counters.errors++;
      }
    };
    await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  }

  /** New tenant users, a chunk per transaction: one multi-row insert and their audit entries. */
  private async addUsers(
    run: SyncRun,
    service: VoiceService,
    adds: Extract<SyncChange, { type: 'add' }>[],
    actor: Actor,
  ): Promise<void> {
    const { accountId } = run;
    await this.store.transaction(async (tx) => {
      const created = await tx.users.createMany(
        adds.map(({ tenant: t }) => ({
          accountId,
          serviceId: service.id,
          objectId: t.objectId,
          upn: t.upn,
          email: t.email,
          displayName: t.displayName,
          kind: t.kind,
          tenantState: t.enabled ? ('active' as const) : ('disabled' as const),
          usageLocation: t.usageLocation,
          coexistenceMode: t.coexistenceMode,
          licences: t.licences,
          ...splitLine(t.line),
          numberType: t.line ? (service.kind === 'trunk' ? ('trunk' as const) : ('ddi' as const)) : null,
          sipUsername: null,
          authUsername: null,
          sipPasswordEnc: null,
          registrationEnabled: true,
          registrationState: 'disabled' as const,
          registrationDetail: { reason: SIP_CREDENTIALS_MISSING },
          externalId: null,
          syncedLine: t.line,
        })),
      );
      await tx.audit.appendMany(
        created.map((user) => ({
          accountId,
          actor,
          action: 'user.create',
          objectType: 'user',
          objectId: user.id,
          before: null,
          after: { ...user },
        })),
      );
    });
  }

  private async applyLocal(
    run: SyncRun,
    change: Exclude<SyncChange, { type: 'write_number' | 'add' }>,
    actor: Actor,
    say: (m: string, l?: SyncLogLine['level'], u?: string) => void,
  ): Promise<void> {
    const { accountId } = run;
    await this.store.transaction(async (tx) => {
      switch (change.type) {
        case 'update':
        case 'mark': {
          const before = await tx.users.findById(accountId, change.userId);
          const patch = change.type === 'mark' ? { tenantState: change.tenantState } : change.fields;
          const after = await tx.users.update(accountId, change.userId, patch);
          await tx.audit.append({
            accountId,
            actor,
            action: `user.sync_${change.type}`,
            objectType: 'user',
            objectId: change.userId,
            before: before ?? null,
            after: after ?? null,
          });
          if (change.type === 'mark')
            say(`${before?.email ?? change.userId}: ${change.reason}`, 'warn', change.userId);
          return;
        }
        case 'take_number': {
          const before = await tx.users.findById(accountId, change.userId);
          const after = await tx.users.update(accountId, change.userId, {
            ...splitLine(change.to),
            numberType: change.to ? (before?.numberType ?? 'ddi') : null,
          });
          await tx.users.recordSynced(accountId, change.userId, change.to);
          await tx.audit.append({
            accountId,
            actor,
            action: 'user.sync_take_number',
            objectType: 'user',
            objectId: change.userId,
            before: before ?? null,
            after: after ?? null,
          });
          say(
            `${before?.email ?? change.userId}: number changed in the tenant from ${change.from ?? '(none)'} to ${change.to ?? '(none)'}; taken into the portal.`,
            'info',
            change.userId,
          );
          return;
        }
        case 'agree':
          await tx.users.recordSynced(accountId, change.userId, change.line);
          return;
        case 'conflict':
          say(
            `Conflict: the number was changed in the portal to ${change.portal ?? '(none)'} and in the tenant to ${change.tenant ?? '(none)'} since the last sync (was ${change.synced ?? '(none)'}). Choose one: set it again in the portal to write it, or set the portal to the tenant's value.`,
            'warn',
            change.userId,
          );
          await tx.users.recordSyncError(
            accountId,
            change.userId,
            `Number conflict: portal ${change.portal ?? '(none)'}, tenant ${change.tenant ?? '(none)'}.`,
          );
          return;
      }
    });
  }

  /**
   * Assigns (or removes) a Direct Routing number in the tenant (which turns enterprise voice on) and grants the
   * service's voice routing policy; true when both are done. Until then the line is not recorded as agreed, so
   * the next sync does it again (both writes are idempotent).
   */
  private async writeNumber(
    run: SyncRun,
    client: MicrosoftTenantClient,
    change: Extract<SyncChange, { type: 'write_number' }>,
    policy: string | null,
    say: (m: string, l?: SyncLogLine['level'], u?: string) => void,
  ): Promise<boolean> {
    const { accountId } = run;
    try {
      const outcome = change.to
        ? await client.assignNumber({
            telephoneNumber: change.to,
            userId: change.objectId,
            numberType: 'directRouting',
          })
        : await client.unassignNumber({ telephoneNumber: change.from ?? '', numberType: 'directRouting' });
      if (outcome.state === 'failed') {
        await this.store.repos.users.recordSyncError(
          accountId,
          change.userId,
          outcome.error.microsoftMessage,
        );
        say(
          `Microsoft refused ${change.to ?? change.from ?? ''}: ${outcome.error.microsoftMessage}`,
          'error',
          change.userId,
        );
        return false;
      }
      if (outcome.state === 'pending') {
        say(
          `Microsoft is still assigning ${formatLineUri(outcome.telephoneNumber)}; the next sync checks it again.`,
          'warn',
          change.userId,
        );
        return false;
      }
      if (change.to) {
        const refusal = policy
          ? (await client.grantVoiceRoutingPolicy([change.objectId], policy)).find((g) => !g.ok)?.error
              .message
          : 'the voice routing policy is not ready yet';
        if (refusal) {
          const message = `${change.to} is assigned, but the voice routing policy was not granted (${refusal}); the next sync grants it.`;
          await this.store.repos.users.recordSyncError(accountId, change.userId, message);
          say(message, 'warn', change.userId);
          return false;
        }
      }
      await this.store.repos.users.recordSynced(accountId, change.userId, change.to);
      say(`Wrote ${change.to ?? '(no number)'} to the tenant.`, 'info', change.userId);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.store.repos.users.recordSyncError(accountId, change.userId, message);
      say(`Writing ${change.to ?? '(no number)'} failed: ${message}`, 'error', change.userId);
      return false;
    }
  }
}

function toPortalSnapshot(user: UserSyncState): PortalUserSnapshot {
  return {
    id: user.id,
    objectId: user.objectId,
    email: user.email,
    displayName: user.displayName,
    upn: user.upn,
    kind: user.kind,
    tenantState: user.tenantState,
    usageLocation: user.usageLocation,
    coexistenceMode: user.coexistenceMode,
    licences: user.licences,
    line: lineOf(user),
    syncedLine: user.syncedLine,
  };
}

function describe(plan: SyncPlan): string {
  const c = plan.counters;
  const writes = plan.changes.filter((x) => x.type === 'write_number').length;
  return `enabled users: total=${c.total}, licensed=${c.licensed}, phoneSystem=${c.teamsPhone}, excludedByCallingPlan=${c.excludedByCallingPlan}, resource=${c.resourceAccounts}; added=${c.added}, updated=${c.updated}, removed=${c.removed}, tenant writes=${writes}, conflicts=${c.conflicts}`;
}
