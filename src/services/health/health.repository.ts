/**
 * The reads behind the health overviews (issue 18), on SQLite and PostgreSQL. Each one is a count or a short range
 * read from an index that exists for the users page or the call log, so an account of 100,000 users costs a few
 * index reads, never a scan of the users table:
 *
 * - registration counts: `users_account_registration (account_id, registration_state, display_name, id)` covers
 *   the grouped count (an index-only read of the account's entries), and the failing users are its first entries
 *   of `state = 'failed'` in name order;
 * - a provider's troubled clients: one range per (client, failing state) of that same index;
 * - calls since a time: `call_records_account_time (account_id, started_at, id)`, one range per account;
 * - the last sync of each service: `sync_runs_service (account_id, service_id, created_at)`, newest first.
 */
import { sql, type Kysely } from 'kysely';
import type { RegistrationDetail, RegistrationState } from '../../domain/records.js';
import type { Database, SyncRunsTable } from '../../store/schema.js';

/** States that mean a user's line does not work now (failed: refused or no answer; unconfirmed: PBX silent). */
export const FAILING_STATES = ['failed', 'unconfirmed'] as const satisfies readonly RegistrationState[];

export interface FailingUser {
  id: string;
  displayName: string;
  serviceId: string;
  state: RegistrationState;
  statusCode: number | null;
  reason: string | null;
}

export interface CallCounts {
  attempts: number;
  answered: number;
  failed: number;
}

export interface LastSync {
  serviceId: string;
  state: SyncRunsTable['state'];
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** Results that count as failed in the overviews (the call log's red rows). */
const FAILED_RESULTS = ['failed', 'refused', 'declined'];

export class HealthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** How many of the account's users are in each registration state. */
  async registrationCounts(accountId: string): Promise<Partial<Record<RegistrationState, number>>> {
    const rows = await this.db
      .selectFrom('users')
      .select(['registration_state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('account_id', '=', accountId)
      .groupBy('registration_state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.registration_state, Number(r.n)]));
  }

  /** The first `limit` users whose registration failed, by name. */
  async failingUsers(accountId: string, limit: number): Promise<FailingUser[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'display_name', 'service_id', 'registration_state', 'registration_detail'])
      .where('account_id', '=', accountId)
      .where('registration_state', '=', 'failed')
      .orderBy('display_name')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => {
      const detail = JSON.parse(r.registration_detail) as RegistrationDetail;
      return {
        id: r.id,
        displayName: r.display_name,
        serviceId: r.service_id,
        state: r.registration_state,
        statusCode: detail.statusCode ?? null,
        reason: detail.reason ?? null,
      };
    });
  }

  /** Users failing (failed or unconfirmed) per account, for accounts that have any. */
  async failingByAccount(accountIds: readonly string[]): Promise<Map<string, number>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('users')
      .select(['account_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('account_id', 'in', accountIds)
      .where('registration_state', 'in', FAILING_STATES)
      .groupBy('account_id')
      .execute();
    return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
  }

  /** Calls started at or after `since`, per account: attempts, answered and failed. */
  async callCounts(accountIds: readonly string[], since: string): Promise<Map<string, CallCounts>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('call_records')
      .select((eb) => [
        'account_id',
        eb.fn.countAll<number | string>().as('attempts'),
        eb.fn.sum<number | string>(sql`case when result = 'answered' then 1 else 0 end`).as('answered'),
        eb.fn
          .sum<number | string>(sql`case when result in (${sql.join(FAILED_RESULTS)}) then 1 else 0 end`)
          .as('failed'),
      ])
      .where('account_id', 'in', accountIds)
      .where('started_at', '>=', since)
      .groupBy('account_id')
      .execute();
    return new Map(
      rows.map((r) => [
        r.account_id,
        { attempts: Number(r.attempts), answered: Number(r.answered ?? 0), failed: Number(r.failed ?? 0) },
      ]),
    );
  }

  /** The newest applied (not dry-run) sync run of each service of these accounts. */
  async lastSyncs(accountIds: readonly string[]): Promise<Map<string, LastSync>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('sync_runs as r')
      .select(['r.account_id', 'r.service_id', 'r.state', 'r.created_at', 'r.finished_at', 'r.error'])
      .where('r.account_id', 'in', accountIds)
      .where('r.dry_run', '=', 0)
      .where('r.created_at', '=', (eb) =>
        eb
          .selectFrom('sync_runs as n')
          .select((n) => n.fn.max('n.created_at').as('newest'))
          .whereRef('n.account_id', '=', 'r.account_id')
          .whereRef('n.service_id', '=', 'r.service_id')
          .where('n.dry_run', '=', 0),
      )
      .execute();
    return new Map(
      rows.map((r) => [
        r.service_id,
        {
          serviceId: r.service_id,
          state: r.state,
          createdAt: r.created_at,
          finishedAt: r.finished_at,
          error: r.error,
        },
      ]),
    );
  }

  /** Services whose PBX the sip role last found unreachable, per account. */
  async unreachableByAccount(accountIds: readonly string[]): Promise<Map<string, number>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('pbx_reachability as p')
      .innerJoin('services as s', 's.id', 'p.service_id')
      .select(['s.account_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('s.account_id', 'in', accountIds)
      .where('p.reachable', '=', 0)
      .groupBy('s.account_id')
      .execute();
    return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
  }

  /** The Microsoft 365 consent state of each account that has a tenant connection. */
  async consentStates(accountIds: readonly string[]): Promise<Map<string, string>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('tenant_connections')
      .select(['account_id', 'consent_state'])
      .where('account_id', 'in', accountIds)
      .execute();
    return new Map(rows.map((r) => [r.account_id, r.consent_state]));
  }

  /** Active trial subscriptions ending before `before`, per account (the earliest end). */
  async trialsEnding(accountIds: readonly string[], before: string): Promise<Map<string, string>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('subscriptions')
      .select(['account_id', (eb) => eb.fn.min<string>('trial_ends_at').as('ends')])
      .where('account_id', 'in', accountIds)
      .where('state', '=', 'active')
      .where('trial', '=', 1)
      .where('trial_ends_at', '<', before)
      .groupBy('account_id')
      .execute();
    return new Map(rows.map((r) => [r.account_id, r.ends]));
  }
}
