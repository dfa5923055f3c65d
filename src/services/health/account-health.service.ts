/**
 * An account's health at a glance (issue 18): registrations by state with the failing users, each service's PBX
 * reachability and last sync, the Teams edge, the calls since a time (attempts, answered, ASR) and the Microsoft
 * 365 consent. Each part is a count or a short indexed read (see `health.repository.ts`). Licences are not part of
 * it: their use is counted over every user of the account (`licences.service.ts`, about 2 s at 100,000 users), too
 * much for a page that refreshes every 30 s, so the portal's licences card reads `GET /accounts/{id}/licences`
 * once instead. Each part needs the permission its own page needs; a part the caller may not see is `null` and
 * named in `hidden`, so a Sync Contributor still gets the sync state and nothing more.
 */
import type { Actor, PbxReachability, RegistrationState } from '../../domain/records.js';
import type { Permission } from '../../domain/access.js';
import type { Store } from '../../store/store.js';
import type { AccessService } from '../access.service.js';
import { carrierNamesOf } from '../sync/carrier-setup.js';
import type { EdgeSummary } from './edge-summary.js';
import type { CallCounts, FailingUser, HealthRepository, LastSync } from './health.repository.js';

/** Failing users listed on the page; the count says how many there are in all. */
export const FAILING_USERS_SHOWN = 20;

const STATES: readonly RegistrationState[] = [
  'registered',
  'failed',
  'unconfirmed',
  'disabled',
  'pending',
  'expiring',
  'unregistered',
];

export interface ServiceHealth {
  id: string;
  name: string;
  kind: 'pbx' | 'trunk';
  /** Null for trunks and PBX services never probed. */
  pbx: PbxReachability | null;
  /** Null until a sync ran; absent from the answer without `sync.read`. */
  lastSync: Omit<LastSync, 'serviceId'> | null;
}

export interface AccountHealth {
  accountId: string;
  generatedAt: string;
  registrations: {
    total: number;
    byState: Record<RegistrationState, number>;
    failingUsers: FailingUser[];
  } | null;
  services: ServiceHealth[] | null;
  teamsEdge: EdgeSummary | null;
  calls: (CallCounts & { since: string; answerSeizureRatio: number | null }) | null;
  consentState: string | null;
  /** Parts left out because the caller lacks their permission. */
  hidden: { part: string; permission: Permission }[];
}

export class AccountHealthService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly health: HealthRepository,
    private readonly sbcDomain: string,
  ) {}

  /**
   * The account's health. `since`: where "today's calls" start (the portal sends the viewer's local midnight);
   * `edge`: the Teams edge's summary for the account's subdomains, when this process runs the edge.
   */
  async get(
    actor: Actor,
    accountId: string,
    options: { since: string; edge: (fqdns: string[]) => EdgeSummary },
  ): Promise<AccountHealth> {
    await this.access.require(actor, accountId, 'account.read');
    const may = async (permission: Permission) =>
      (await this.access.check(actor, accountId, permission)) === 'allowed';
    const [serviceRead, syncRead] = await Promise.all([may('service.read'), may('sync.read')]);
    const hidden: AccountHealth['hidden'] = [];
    if (!serviceRead)
      hidden.push({ part: 'registrations, PBX, calls and Teams edge', permission: 'service.read' });
    if (!syncRead) hidden.push({ part: 'sync', permission: 'sync.read' });

    const services = serviceRead || syncRead ? await this.store.repos.services.listByAccount(accountId) : [];
    const fqdns = services.map((s) => carrierNamesOf(s.id, this.sbcDomain).domain);
    return {
      accountId,
      generatedAt: new Date().toISOString(),
      registrations: serviceRead ? await this.registrations(accountId) : null,
      services:
        serviceRead || syncRead
          ? await this.servicesHealth(accountId, services, serviceRead, syncRead)
          : null,
      teamsEdge: serviceRead ? options.edge(fqdns) : null,
      calls: serviceRead ? await this.calls(accountId, options.since) : null,
      consentState: serviceRead
        ? ((await this.health.consentStates([accountId])).get(accountId) ?? 'not_connected')
        : null,
      hidden,
    };
  }

  private async registrations(accountId: string): Promise<NonNullable<AccountHealth['registrations']>> {
    const counts = await this.health.registrationCounts(accountId);
    const byState = Object.fromEntries(STATES.map((s) => [s, counts[s] ?? 0])) as Record<
      RegistrationState,
      number
    >;
    const total = STATES.reduce((sum, s) => sum + byState[s], 0);
    const failingUsers =
      byState.failed > 0 ? await this.health.failingUsers(accountId, FAILING_USERS_SHOWN) : [];
    return { total, byState, failingUsers };
  }

  private async servicesHealth(
    accountId: string,
    services: { id: string; name: string; kind: 'pbx' | 'trunk' }[],
    serviceRead: boolean,
    syncRead: boolean,
  ): Promise<ServiceHealth[]> {
    const ids = services.map((s) => s.id);
    const reach = serviceRead
      ? await this.store.repos.pbxReachability.forServices(ids)
      : new Map<string, PbxReachability>();
    const syncs = syncRead ? await this.health.lastSyncs([accountId]) : new Map<string, LastSync>();
    return services.map((s) => {
      const last = syncs.get(s.id);
      return {
        id: s.id,
        name: s.name,
        kind: s.kind,
        pbx: reach.get(s.id) ?? null,
        lastSync: last
          ? { state: last.state, createdAt: last.createdAt, finishedAt: last.finishedAt, error: last.error }
          : null,
      };
    });
  }

  private async calls(accountId: string, since: string): Promise<NonNullable<AccountHealth['calls']>> {
    const counts = (await this.health.callCounts([accountId], since)).get(accountId) ?? {
      attempts: 0,
      answered: 0,
      failed: 0,
    };
    return {
      since,
      ...counts,
      answerSeizureRatio: counts.attempts === 0 ? null : counts.answered / counts.attempts,
    };
  }
}
