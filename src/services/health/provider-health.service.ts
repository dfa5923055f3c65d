/**
 * A provider's view across its clients (issue 18): which customers are unhealthy, worst first, a page at a time.
 * Each client's trouble comes from grouped reads over all the clients at once (failing registrations, unreachable
 * PBXs, last syncs, consent, trials, the last hour's calls: see `health.repository.ts`), in slices of
 * {@link SLICE} clients, so a provider with thousands of clients costs a handful of indexed queries, not one
 * per client. The page is cut after sorting, so page 1 always holds the worst.
 */
import { AppError } from '../../domain/errors.js';
import type { Account, Actor } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import type { AccessService } from '../access.service.js';
import type { CallCounts, HealthRepository, LastSync } from './health.repository.js';

const SLICE = 500;
const HOUR_MS = 3_600_000;
const TRIAL_WARNING_MS = 14 * 24 * HOUR_MS;

export type Severity = 'critical' | 'warning' | 'ok';

export interface ClientIssue {
  severity: Exclude<Severity, 'ok'>;
  /** Stable code for the portal (and alerts): pbx_unreachable, consent, sync_failed, ... */
  code: string;
  message: string;
}

export interface ClientHealth {
  accountId: string;
  name: string;
  suspended: boolean;
  severity: Severity;
  failingUsers: number;
  unreachablePbx: number;
  consentState: string;
  callsLastHour: CallCounts;
  issues: ClientIssue[];
}

const WEIGHT: Record<ClientIssue['severity'], number> = { critical: 1_000_000, warning: 1_000 };

/** Issues that stop calls outright count twice: a PBX that does not answer beats a failed sync. */
const CALLS_STOPPED = new Set(['pbx_unreachable', 'trial_ended']);

/** Trouble as one number: criticals first (calls stopped before the rest), then warnings, then failing users. */
function scoreOf(client: ClientHealth): number {
  return (
    client.issues.reduce((sum, i) => sum + WEIGHT[i.severity] * (CALLS_STOPPED.has(i.code) ? 2 : 1), 0) +
    Math.min(client.failingUsers, 999)
  );
}

export class ProviderHealthService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly health: HealthRepository,
  ) {}

  /** The partner's client accounts (all levels beneath it), worst first. */
  async clients(
    actor: Actor,
    partnerId: string,
    page: { limit: number; offset: number },
    now = new Date(),
  ): Promise<{ items: ClientHealth[]; total: number; limit: number; offset: number }> {
    await this.access.require(actor, partnerId, 'service.read');
    const partner = await this.store.repos.accounts.findById(partnerId);
    if (partner?.kind !== 'partner')
      throw new AppError(
        'validation_failed',
        'The provider overview is for partner accounts: open the account page of a client for its health.',
        { field: 'accountId' },
      );
    const clients = (await this.store.repos.accounts.descendantsOf([partnerId])).filter(
      (a) => a.kind === 'client',
    );
    const healths: ClientHealth[] = [];
    for (let i = 0; i < clients.length; i += SLICE)
      healths.push(...(await this.slice(clients.slice(i, i + SLICE), now)));
    const scored = healths.map((h) => ({ h, score: scoreOf(h) }));
    scored.sort(
      (a, b) =>
        b.score - a.score || a.h.name.localeCompare(b.h.name) || a.h.accountId.localeCompare(b.h.accountId),
    );
    return {
      items: scored.slice(page.offset, page.offset + page.limit).map((s) => s.h),
      total: scored.length,
      limit: page.limit,
      offset: page.offset,
    };
  }

  private async slice(clients: Account[], now: Date): Promise<ClientHealth[]> {
    const ids = clients.map((c) => c.id);
    const [failing, unreachable, syncs, consent, trials, calls] = await Promise.all([
      this.health.failingByAccount(ids),
      this.health.unreachableByAccount(ids),
      this.health.lastSyncs(ids),
      this.health.consentStates(ids),
      this.health.trialsEnding(ids, new Date(now.getTime() + TRIAL_WARNING_MS).toISOString()),
      this.health.callCounts(ids, new Date(now.getTime() - HOUR_MS).toISOString()),
    ]);
    const syncsByAccount = new Map<string, LastSync[]>();
    const serviceAccount = await this.serviceAccounts(ids);
    for (const run of syncs.values()) {
      const accountId = serviceAccount.get(run.serviceId);
      if (accountId) syncsByAccount.set(accountId, [...(syncsByAccount.get(accountId) ?? []), run]);
    }
    return clients.map((c) => {
      const facts = {
        failingUsers: failing.get(c.id) ?? 0,
        unreachablePbx: unreachable.get(c.id) ?? 0,
        consentState: consent.get(c.id) ?? 'not_connected',
        callsLastHour: calls.get(c.id) ?? { attempts: 0, answered: 0, failed: 0 },
      };
      const issues = issuesOf(facts, syncsByAccount.get(c.id) ?? [], trials.get(c.id), now);
      const severity: Severity = issues.some((i) => i.severity === 'critical')
        ? 'critical'
        : issues.length > 0
          ? 'warning'
          : 'ok';
      return {
        accountId: c.id,
        name: c.name,
        suspended: c.status === 'suspended',
        severity,
        ...facts,
        issues,
      };
    });
  }

  private async serviceAccounts(accountIds: string[]): Promise<Map<string, string>> {
    const rows = await this.store.handle.db
      .selectFrom('services')
      .select(['id', 'account_id'])
      .where('account_id', 'in', accountIds)
      .execute();
    return new Map(rows.map((r) => [r.id, r.account_id]));
  }
}

/** What is wrong with one client, in words an administrator acts on. */
export function issuesOf(
  facts: Pick<ClientHealth, 'failingUsers' | 'unreachablePbx' | 'consentState' | 'callsLastHour'>,
  syncs: readonly LastSync[],
  trialEndsAt: string | undefined,
  now: Date,
): ClientIssue[] {
  const issues: ClientIssue[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (facts.unreachablePbx > 0)
    issues.push({
      severity: 'critical',
      code: 'pbx_unreachable',
      message: `${plural(facts.unreachablePbx, 'PBX does', 'PBXs do')} not answer: its users cannot register.`,
    });
  if (facts.consentState === 'revoked' || facts.consentState === 'denied')
    issues.push({
      severity: 'critical',
      code: 'consent',
      message:
        'Microsoft 365 consent was revoked or denied: syncs fail until a tenant administrator consents again.',
    });
  const failedSyncs = syncs.filter((s) => s.state === 'failed').length;
  if (failedSyncs > 0)
    issues.push({
      severity: 'critical',
      code: 'sync_failed',
      message: `The last sync of ${plural(failedSyncs, 'service', 'services')} failed.`,
    });
  if (facts.failingUsers > 0)
    issues.push({
      severity: 'warning',
      code: 'registrations_failing',
      message: `${plural(facts.failingUsers, 'user does', 'users do')} not register to the PBX.`,
    });
  if (syncs.some((s) => s.state === 'warning'))
    issues.push({ severity: 'warning', code: 'sync_warning', message: 'The last sync ended with warnings.' });
  if (trialEndsAt)
    issues.push(
      trialEndsAt <= now.toISOString()
        ? {
            severity: 'critical',
            code: 'trial_ended',
            message: `The trial ended on ${trialEndsAt.slice(0, 10)}.`,
          }
        : {
            severity: 'warning',
            code: 'trial_ending',
            message: `The trial ends on ${trialEndsAt.slice(0, 10)}.`,
          },
    );
  const { attempts, failed } = facts.callsLastHour;
  if (attempts >= 10 && failed * 2 >= attempts)
    issues.push({
      severity: 'warning',
      code: 'calls_failing',
      message: `${failed} of the last hour's ${attempts} calls failed.`,
    });
  return issues;
}
