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
import { phoneAppChecks, type PhoneAppCheckUser, type PhoneAppFinding } from '../../domain/phone-app.js';
import type { MicrosoftTenantClient } from '../../microsoft/index.js';
import type { PhoneAppInstallTarget, UserSyncState } from '../../store/repositories/users.repository.js';
import type { Store } from '../../store/store.js';
import type { TenantConnectionsService } from '../tenant-connections.service.js';
import type { CarrierSetup } from './carrier-setup.js';
import { DegradedSteps, microsoftSaid } from './degraded-steps.js';
import { readForSync, type StoredUsers, type SyncRead } from './sync-read.js';

const WRITE_CONCURRENCY = 4;
/** Phone App installs (or removals) per $batch round; each chunk is recorded before the next starts. */
const INSTALL_CHUNK = 100;

/** The Phone App as the platform runs it (configuration `phoneAppTeamsAppId`, `phoneAppDomain`). */
export interface PhoneAppSettings {
  /** The Phone App's id in the Teams app catalog: installed for each Phone App user. */
  teamsAppId: string;
  /** The domain Phone App calls come from: it must be allowed in the tenant's external access. */
  domain: string;
}

/** The Phone App is active for a PBX service once enabled and authorized (seed 004: enable, authorize, sync). */
export function phoneAppActive(service: Pick<VoiceService, 'kind' | 'teams'>): boolean {
  return (
    service.kind === 'pbx' && service.teams.phoneAppEnabled && service.teams.phoneAppConsent === 'granted'
  );
}
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
    private readonly phoneApp: PhoneAppSettings,
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
      const active = phoneAppActive(service);
      if (active) say('The Phone App is active: Phone App users are synced in and checked.');
      const cursor = await this.store.repos.syncCursors.find(run.accountId, run.serviceId);
      const degraded = new DegradedSteps(say);
      const tenant = await readForSync(client, service, cursor, this.storedUsers(run), say, active, degraded);
      for (const user of tenant.phoneAppConflicts)
        say(
          `${user.email} is in both a standard users' group and the Phone App group: synced as neither. Phone App users cannot be part of the standard groups; remove them from one of the groups, then run Sync Now.`,
          'warn',
        );
      await onProgress({ phase: 'planning', tenantUsers: tenant.users.length });
      const plan = planSync(tenant.users, tenant.portal.map(toPortalSnapshot));
      say(`Planned ${plan.changes.length} change(s).`);
      const phoneAppCounters: Record<string, number> = active
        ? { phoneAppConflicts: tenant.phoneAppConflicts.length, phoneAppWarnings: 0 }
        : {};
      const stepCounters = (): Record<string, number> =>
        degraded.count > 0 ? { degradedSteps: degraded.count } : {};
      if (run.dryRun) {
        if (active)
          phoneAppCounters['phoneAppWarnings'] = (
            await this.checkPhoneApp(run, client, tenant, say, degraded)
          ).length;
        const counters = {
          ...(await this.countersOf(run, plan, tenant)),
          ...phoneAppCounters,
          ...stepCounters(),
        };
        say(`Dry run: ${describe(plan)}. Nothing was changed.`);
        return await this.finish(run, counters, plan, log, stateOf(plan, counters));
      }
      const setup = await this.carrier.ensure(run.accountId, service.id, client, say);
      for (const failure of setup.failures)
        degraded.record(
          `ensuring the ${failure.label} (carrier model)`,
          failure.error,
          'It stays pending and is retried automatically.',
        );
      const policy = setup.policyReady ? this.carrier.names(service.id).voiceRoutingPolicy : null;
      await onProgress({ phase: 'applying', changes: plan.changes.length });
      await this.apply(run, service, client, plan, policy, say, onProgress);
      await onProgress({ phase: 'phone_app' });
      Object.assign(phoneAppCounters, await this.installPhoneApp(run, client, active, say, degraded));
      if (active)
        phoneAppCounters['phoneAppWarnings'] = (
          await this.checkPhoneApp(run, client, tenant, say, degraded)
        ).length;
      // Only an applied run moves the read position: a run that dies reads the same changes again.
      await this.store.repos.syncCursors.save(run.accountId, tenant.cursor);
      const counters = {
        ...(await this.countersOf(run, plan, tenant)),
        ...phoneAppCounters,
        ...stepCounters(),
      };
      say(`Finished: ${describe(plan)}.`);
      return await this.finish(run, counters, plan, log, stateOf(plan, counters));
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
    const totals = { total: 0, licensed: 0, teamsPhone: 0, resourceAccounts: 0, phoneAppUsers: 0 };
    for (const group of await this.store.repos.users.syncTotals(run.accountId, run.serviceId)) {
      if (group.tenantState !== 'active') continue;
      totals.total += group.count;
      if (group.licences.length > 0) totals.licensed += group.count;
      if (group.licences.some((part) => read.teamsPhoneParts.has(part))) totals.teamsPhone += group.count;
      if (group.kind === 'resource_account') totals.resourceAccounts += group.count;
      if (group.kind === 'phone_app') totals.phoneAppUsers += group.count;
    }
    Object.assign(plan.counters, totals);
    return { ...counters, ...totals };
  }

  /**
   * Installs the Phone App Teams app for Phone App users who do not have it yet and removes it from users it was
   * installed for who are no longer Phone App users (also when the Phone App was switched off). Each user is
   * recorded as soon as Microsoft confirmed, so a run that dies resumes where it stopped; "already installed"
   * (409) and "not installed" count as done, so nothing is installed twice.
   */
  private async installPhoneApp(
    run: SyncRun,
    client: MicrosoftTenantClient,
    active: boolean,
    say: (m: string, l?: SyncLogLine['level'], u?: string) => void,
    degraded: DegradedSteps,
  ): Promise<Record<string, number>> {
    const { users } = this.store.repos;
    const work = await users.listPhoneAppInstallWork(run.accountId, run.serviceId);
    const install = active ? work.install : [];
    if (install.length === 0 && work.remove.length === 0) return {};
    const appId = this.phoneApp.teamsAppId;
    const counters = { phoneAppInstalled: 0, phoneAppRemoved: 0, phoneAppInstallErrors: 0 };
    const step = async (
      targets: PhoneAppInstallTarget[],
      installing: boolean,
      write: (ids: string[]) => Promise<{ userId: string; ok: boolean; error?: Error }[]>,
    ) => {
      const verb = installing ? 'install' : 'remove';
      for (let i = 0; i < targets.length; i += INSTALL_CHUNK) {
        const chunk = targets.slice(i, i + INSTALL_CHUNK);
        const byObject = new Map(chunk.map((t) => [t.objectId, t]));
        const outcomes = await write(chunk.map((t) => t.objectId)).catch((error: unknown) => {
          degraded.record(
            `${installing ? 'installing' : 'removing'} the Phone App in Teams`,
            error,
            `${chunk.length} user(s) are left as they were.`,
          );
          return chunk.map((t) => ({ userId: t.objectId, ok: false, error: error as Error }));
        });
        const done: string[] = [];
        for (const outcome of outcomes) {
          const target = byObject.get(outcome.userId)!;
          if (outcome.ok) {
            done.push(target.id);
            continue;
          }
          counters.phoneAppInstallErrors++;
          say(
            `Could not ${verb} the Phone App ${installing ? 'for' : 'from'} ${target.email}: ${outcome.error?.message ?? 'no reason given'}. The next sync tries again.`,
            'warn',
            target.id,
          );
        }
        await users.setPhoneAppInstalled(run.accountId, done, installing);
        if (installing) counters.phoneAppInstalled += done.length;
        else counters.phoneAppRemoved += done.length;
      }
    };
    await step(work.remove, false, (ids) => client.uninstallTeamsAppForUsers(ids, appId));
    await step(install, true, (ids) => client.installTeamsApp(ids, appId));
    if (counters.phoneAppInstalled > 0)
      say(`Installed the Phone App in Teams for ${counters.phoneAppInstalled} Phone App user(s).`);
    if (counters.phoneAppRemoved > 0)
      say(
        `Removed the Phone App from ${counters.phoneAppRemoved} user(s) who are no longer Phone App users.`,
      );
    return counters;
  }

  /**
   * The Phone App readiness checks (Teams Only, external access, licences) over the service's users as this run
   * leaves them: the tenant's coexistence mode and external access are read once; each user's flags come from this
   * run's read, or for users a delta read did not touch, from what is stored. No per-user calls.
   */
  private async checkPhoneApp(
    run: SyncRun,
    client: MicrosoftTenantClient,
    read: SyncRead,
    say: (m: string, l?: SyncLogLine['level'], u?: string) => void,
    degraded: DegradedSteps,
  ): Promise<PhoneAppFinding[]> {
    const unknown = 'The Phone App checks show it as unknown.';
    const tenantMode = await degraded.attempt(
      "reading the tenant's coexistence mode for the Phone App checks",
      () => client.getTenantCoexistenceMode(),
      null,
      unknown,
    );
    const federation = await degraded.attempt(
      "reading the tenant's external access settings for the Phone App checks",
      () => client.getFederationSettings(),
      null,
      unknown,
    );
    const stored = await this.store.repos.users.listSyncStates(run.accountId, run.serviceId);
    const snapshots = new Map(read.users.map((u) => [u.objectId, u]));
    const byEmail = new Map<string, string>();
    const users: PhoneAppCheckUser[] = [];
    const seen = new Set<string>();
    for (const user of stored) {
      if (!user.objectId || user.tenantState !== 'active') continue;
      byEmail.set(user.email.toLowerCase(), user.id);
      const t = snapshots.get(user.objectId);
      seen.add(user.objectId);
      if (t && !t.enabled) continue;
      const kind = t ? t.kind : user.kind;
      if (kind === 'resource_account') continue;
      users.push({
        email: user.email,
        kind,
        coexistenceMode: t ? t.coexistenceMode : user.coexistenceMode,
        hasTeamsPhone: t ? t.hasTeamsPhone : user.licences.some((p) => read.teamsPhoneParts.has(p)),
        hasCallingPlan: t ? t.hasCallingPlan : false,
        licensed: (t ? t.licences : user.licences).length > 0,
      });
    }
    // Users this run read but does not store: new in a dry run, or Phone App users excluded by a Calling Plan.
    for (const t of read.users) {
      if (seen.has(t.objectId) || !t.enabled || t.kind === 'resource_account') continue;
      if (t.hasCallingPlan && t.kind !== 'phone_app') continue;
      users.push({
        email: t.email,
        kind: t.kind,
        coexistenceMode: t.coexistenceMode,
        hasTeamsPhone: t.hasTeamsPhone,
        hasCallingPlan: t.hasCallingPlan,
        licensed: t.licences.length > 0,
      });
    }
    const findings = phoneAppChecks({
      users,
      tenantCoexistenceMode: tenantMode,
      externalAccess: federation,
      phoneAppDomain: this.phoneApp.domain,
    });
    for (const finding of findings) {
      const steps = finding.fix.map((line, i) => `${i + 1}. ${line}`).join(' ');
      const userId = finding.user ? byEmail.get(finding.user.toLowerCase()) : undefined;
      say(`Phone App check (${finding.check}): ${finding.message} To fix: ${steps}`, 'warn', userId);
    }
    if (findings.length === 0)
      say('Phone App checks: Teams Only, external access and licences are in order.');
    return findings;
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
      plan: plan.changes.map(storedChange),
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
          batchId: run.id,
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
            batchId: run.id,
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
            batchId: run.id,
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
          ? await client.grantVoiceRoutingPolicy([change.objectId], policy).then(
              (grants) => grants.find((g) => !g.ok)?.error.message,
              (error: unknown) => `Microsoft answered ${microsoftSaid(error)}`,
            )
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
    syncError: user.syncError,
  };
}

/**
 * A change as the run keeps it: a new user is kept by who they are and their number, not with every field read
 * from the tenant (a first sync of 100,000 users would otherwise store them all again, and hold that in memory).
 */
function storedChange(change: SyncChange): unknown {
  if (change.type !== 'add') return change;
  const { objectId, displayName, email, upn, kind, line } = change.tenant;
  return { type: 'add', tenant: { objectId, displayName, email, upn, kind, line } };
}

/** A run with errors, conflicts, Phone App findings, group conflicts or optional steps not done ends as a warning. */
function stateOf(plan: SyncPlan, counters: Record<string, number>): SyncRun['state'] {
  const c = plan.counters;
  const issues =
    (counters['phoneAppWarnings'] ?? 0) +
    (counters['phoneAppConflicts'] ?? 0) +
    (counters['phoneAppInstallErrors'] ?? 0) +
    (counters['degradedSteps'] ?? 0);
  return c.errors > 0 || c.conflicts > 0 || issues > 0 ? 'warning' : 'succeeded';
}

function describe(plan: SyncPlan): string {
  const c = plan.counters;
  const writes = plan.changes.filter((x) => x.type === 'write_number').length;
  return `enabled users: total=${c.total}, licensed=${c.licensed}, phoneSystem=${c.teamsPhone}, excludedByCallingPlan=${c.excludedByCallingPlan}, resource=${c.resourceAccounts}, phoneApp=${c.phoneAppUsers}; added=${c.added}, updated=${c.updated}, removed=${c.removed}, tenant writes=${writes}, conflicts=${c.conflicts}`;
}
