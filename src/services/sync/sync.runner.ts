import { isAppError } from '../../domain/errors.js';
import { TokenError } from '../../microsoft/index.js';
import type { SyncLogLine, SyncRun, VoiceService } from '../../domain/records.js';
import { SyncPlanner, type SyncChange, type TenantUserSnapshot } from '../../domain/sync/sync-plan.js';
import type { Store } from '../../store/store.js';
import type { TenantConnectionsService } from '../tenant-connections.service.js';
import type { CarrierSetup } from './carrier-setup.js';
import { DegradedSteps } from './degraded-steps.js';
import { checkPhoneApp } from './phone-app.checker.js';
import { installPhoneApp } from './phone-app.installer.js';
import { SyncChangesApplier, type SyncSay, type WriteNumberChange } from './sync-changes.applier.js';
import { countersOf, describe, KeptPlan, stateOf, toPortalSnapshot } from './sync-outcome.js';
import { readForSync, type StoredUsers, type SyncRead } from './sync-read.js';

export { lineOf } from './sync-outcome.js';

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

type Progress = (progress: Record<string, unknown>) => Promise<void>;

/** What the streamed plan leaves for after the read: the kept plan, the tenant writes and the users read. */
interface Planned {
  plan: KeptPlan;
  writes: WriteNumberChange[];
  /** The users read (kept only with the Phone App active: its checks look at every user). */
  users: TenantUserSnapshot[];
}

/**
 * Carries out one sync run: read the tenant and, page by page as it arrives, plan against the portal and (unless a
 * dry run) apply the portal side; then write numbers to the tenant. Every write is idempotent, so a run that dies
 * is simply run again by the next worker and converges: the plan is recomputed from what was already applied. A
 * per-user failure is recorded on the user and does not stop the run.
 */
export class SyncRunner {
  constructor(
    private readonly store: Store,
    private readonly connections: TenantConnectionsService,
    private readonly carrier: CarrierSetup,
    private readonly phoneApp: PhoneAppSettings,
  ) {}

  async run(run: SyncRun, onProgress: Progress): Promise<SyncRun['state']> {
    const log: SyncLogLine[] = [];
    const say: SyncSay = (message, level = 'info', userId) =>
      log.push({ at: new Date().toISOString(), level, message, ...(userId && { userId }) });
    await this.store.repos.syncRuns.update(run.id, {
      state: 'running',
      startedAt: new Date().toISOString(),
      error: null,
    });
    try {
      // A run taken over from a worker that died plans again from the start.
      await this.store.repos.syncRuns.clearPlanParts(run.id);
      return await this.runSteps(run, onProgress, say, log);
    } catch (error) {
      const message = isAppError(error) || error instanceof Error ? error.message : String(error);
      say(`The sync failed: ${message}`, 'error');
      // Microsoft refusing the app's token for want of consent is the "consent revoked" alert's event.
      if (isConsentRefusal(error)) await this.connections.markRevoked(run.accountId, message);
      // A failed run keeps no plan (the parts planned before the failure are not the run's plan).
      await this.store.repos.syncRuns.clearPlanParts(run.id).catch(() => undefined);
      await this.store.repos.syncRuns.update(run.id, {
        state: 'failed',
        finishedAt: new Date().toISOString(),
        log,
        error: message,
      });
      return 'failed';
    }
  }

  private async runSteps(
    run: SyncRun,
    onProgress: Progress,
    say: SyncSay,
    log: SyncLogLine[],
  ): Promise<SyncRun['state']> {
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
    const phoneAppCounters: Record<string, number> = active
      ? { phoneAppConflicts: tenant.phoneAppConflicts.length, phoneAppWarnings: 0 }
      : {};
    const stepCounters = (): Record<string, number> =>
      degraded.count > 0 ? { degradedSteps: degraded.count } : {};
    const checks = async (users: TenantUserSnapshot[]) => {
      if (!active) return;
      const read = { users, teamsPhoneParts: tenant.teamsPhoneParts };
      const findings = await checkPhoneApp(
        this.store,
        run,
        client,
        read,
        this.phoneApp.domain,
        say,
        degraded,
      );
      phoneAppCounters['phoneAppWarnings'] = findings.length;
    };
    if (run.dryRun) {
      const { plan, users } = await this.planStreamed(run.id, service, tenant, active, null, say, onProgress);
      await checks(users);
      const counters = { ...(await countersOf(this.store, run, plan, tenant)), ...phoneAppCounters };
      Object.assign(counters, stepCounters());
      say(`Dry run: ${describe(plan)}. Nothing was changed.`);
      return await this.finish(run, counters, log, stateOf(plan, counters));
    }
    const setup = await this.carrier.ensure(run.accountId, service.id, client, say);
    for (const failure of setup.failures)
      degraded.record(
        `ensuring the ${failure.label} (carrier model)`,
        failure.error,
        'It stays pending and is retried automatically.',
      );
    const policy = setup.policyReady ? this.carrier.names(service.id).voiceRoutingPolicy : null;
    const applier = new SyncChangesApplier(this.store, run, service, say);
    const planned = await this.planStreamed(run.id, service, tenant, active, applier, say, onProgress);
    const { plan } = planned;
    await onProgress({ phase: 'applying', done: 0, of: planned.writes.length });
    await applier.writeNumbers(client, planned.writes, policy, plan.counters);
    await onProgress({ phase: 'phone_app' });
    const appId = this.phoneApp.teamsAppId;
    Object.assign(
      phoneAppCounters,
      await installPhoneApp(this.store, run, client, appId, active, say, degraded),
    );
    await checks(planned.users);
    // Only an applied run moves the read position: a run that dies reads the same changes again.
    await this.store.repos.syncCursors.save(run.accountId, tenant.cursor);
    const counters = { ...(await countersOf(this.store, run, plan, tenant)), ...phoneAppCounters };
    Object.assign(counters, stepCounters());
    say(`Finished: ${describe(plan)}.`);
    return await this.finish(run, counters, log, stateOf(plan, counters));
  }

  /**
   * Plans each page of the read as it arrives and hands its changes to `applier` (none in a dry run), so a full
   * read of a large tenant is never held whole; the portal users no page named are marked at the end.
   */
  private async planStreamed(
    runId: string,
    service: VoiceService,
    tenant: SyncRead,
    active: boolean,
    applier: SyncChangesApplier | null,
    say: SyncSay,
    onProgress: Progress,
  ): Promise<Planned> {
    const planner = new SyncPlanner(tenant.portal.map(toPortalSnapshot));
    const plan = new KeptPlan(planner.counters, (seq, json) =>
      this.store.repos.syncRuns.appendPlanPart(runId, seq, json),
    );
    const writes: WriteNumberChange[] = [];
    const users: TenantUserSnapshot[] = [];
    const take = async (changes: SyncChange[]) => {
      await plan.add(changes);
      if (applier) writes.push(...(await applier.applyLocal(changes)));
    };
    let read = 0;
    for await (const page of tenant.pages) {
      read += page.length;
      if (active) for (const user of page) users.push(user);
      await take(planner.plan(page));
      await onProgress({ phase: applier ? 'applying' : 'planning', tenantUsers: read });
    }
    await take(planner.finish());
    await applier?.applyDeferred();
    await plan.flush();
    say(`Planned ${plan.size} change(s) for ${read} tenant user(s) of "${service.name}".`);
    return { plan, writes, users };
  }

  private storedUsers(run: SyncRun): StoredUsers {
    const { users } = this.store.repos;
    return {
      all: () => users.listSyncStates(run.accountId, run.serviceId),
      only: (objectIds) => users.listSyncStates(run.accountId, run.serviceId, { objectIds }),
      unmatchedSince: (since) => users.countUnmatchedSince(run.accountId, run.serviceId, since),
    };
  }

  private async finish(
    run: SyncRun,
    counters: Record<string, number>,
    log: SyncLogLine[],
    state: SyncRun['state'],
  ): Promise<SyncRun['state']> {
    await this.store.repos.syncRuns.update(run.id, {
      state,
      finishedAt: new Date().toISOString(),
      counters: { ...counters },
      log,
    });
    return state;
  }
}

/**
 * AADSTS codes of a tenant without (or no longer with) consent to the app: 65001 consent missing, 700016 app not
 * found in the directory, 7000112 app disabled, 7000229 no service principal (consent removed).
 */
const CONSENT_CODES = new Set([65001, 700016, 7000112, 7000229]);

/** Microsoft refused the app's token because the tenant withdrew (or never gave) its consent. */
function isConsentRefusal(error: unknown): boolean {
  return (
    error instanceof TokenError &&
    (error.error === 'consent_required' || error.errorCodes.some((code) => CONSENT_CODES.has(code)))
  );
}
