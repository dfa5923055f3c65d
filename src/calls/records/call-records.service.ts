/**
 * The use-cases of call records: the call log (filters, cursor paging, CSV), one call with its failure advice,
 * its ladder (JSON or text), users under capture, and the live calls. Every read passes the access gate
 * (`service.read`; captures change with `service.write`; ending a live call is for platform operators).
 */
import { AppError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/records.js';
import { stringifyGuarded } from '../../domain/csv/csv-guard.js';
import type { AccessService } from '../../services/access.service.js';
import { carrierNamesOf } from '../../services/sync/carrier-setup.js';
import type { Store } from '../../store/store.js';
import type { LadderEntry, LiveCallInfo } from '../call-record.types.js';
import { FAILED_RESULTS, proxiesTried, type CallRecord } from './call-record.js';
import type { CallCapture, CallFilters, CallRecordsRepository } from './call-records.repository.js';
import { adviceFor, type AdviceUser, type FailureAdvice } from './failure-advice.js';
import { ladderAsText } from './ladder-text.js';
import type { LiveCallControl, LiveCalls } from './live-calls.js';

/** Licence SKU part numbers (as synced) that carry Teams Phone; the sync stores part numbers, not plans. */
const TEAMS_PHONE_SKU = /MCOEV|PHONESYSTEM|TEAMS_PHONE|BUSINESS_VOICE|E5|MCOTEAMS_ESSENTIALS/i;
const EXPORT_PAGE = 1000;
/** An export holds at most this many calls; narrow the filters for more. */
export const EXPORT_MAX = 100_000;

export type CallView = CallRecord & { failed: boolean };

export class CallRecordsService {
  /** Set by the SIP role when the B2BUA runs in this process. */
  control: LiveCallControl | undefined;

  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly repo: CallRecordsRepository,
    private readonly live: LiveCalls,
    private readonly options: { sbcDomain: string; phoneAppDomain: string },
  ) {}

  async list(
    actor: Actor,
    accountId: string,
    query: CallFilters & { limit: number; cursor?: string | undefined },
  ): Promise<{ items: CallView[]; nextCursor: string | null }> {
    await this.access.require(actor, accountId, 'service.read');
    const { limit, cursor, ...filters } = query;
    const page = await this.repo.list(accountId, normalised(filters), limit, cursor);
    return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
  }

  /** One call with what to do about it when it failed. */
  async get(
    actor: Actor,
    accountId: string,
    callId: string,
  ): Promise<CallView & { advice: FailureAdvice | null }> {
    await this.access.require(actor, accountId, 'service.read');
    const record = await this.repo.findById(accountId, callId);
    if (!record) throw notFound('call', callId);
    return { ...viewOf(record), advice: await this.adviceOf(record) };
  }

  async ladder(actor: Actor, accountId: string, callId: string): Promise<LadderEntry[]> {
    await this.access.require(actor, accountId, 'service.read');
    const record = await this.repo.findById(accountId, callId);
    if (!record) throw notFound('call', callId);
    const entries = await this.repo.findLadder(accountId, callId);
    if (!entries)
      throw new AppError(
        'not_found',
        "No SIP ladder was kept for this call: ladders are kept for failed calls and for users under capture, for a limited time. Put the user under capture and call again to see the next calls' ladders.",
        { kind: 'ladder', id: callId },
      );
    return entries;
  }

  async ladderText(actor: Actor, accountId: string, callId: string): Promise<string> {
    const entries = await this.ladder(actor, accountId, callId);
    const record = await this.repo.findById(accountId, callId);
    return ladderAsText(record!, entries);
  }

  /** Matching calls as CSV, newest first (at most {@link EXPORT_MAX}). */
  async exportCsv(actor: Actor, accountId: string, filters: CallFilters): Promise<string> {
    await this.access.require(actor, accountId, 'service.read');
    const chunks = [stringifyGuarded([CSV_HEADER])];
    let cursor: string | undefined;
    for (let rows = 0; rows < EXPORT_MAX; rows += EXPORT_PAGE) {
      const page = await this.repo.list(accountId, normalised(filters), EXPORT_PAGE, cursor);
      chunks.push(stringifyGuarded(page.items.map(csvRowOf), { numberColumns: [5, 6] }));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return chunks.join('');
  }

  async getCapture(actor: Actor, accountId: string, userId: string): Promise<CallCapture | null> {
    await this.access.require(actor, accountId, 'service.read');
    await this.requireUser(accountId, userId);
    const capture = await this.repo.findCapture(accountId, userId);
    const now = new Date().toISOString();
    if (!capture || (capture.until !== null && capture.until <= now) || capture.callsLeft === 0) return null;
    return capture;
  }

  /** Keeps the ladders of the user's next `calls` calls and/or for `hours` hours, whatever their result. */
  async setCapture(
    actor: Actor,
    accountId: string,
    userId: string,
    input: { calls?: number | undefined; hours?: number | undefined },
  ): Promise<CallCapture> {
    await this.access.require(actor, accountId, 'service.write');
    await this.requireUser(accountId, userId);
    const now = new Date();
    const capture: CallCapture = {
      userId,
      accountId,
      callsLeft: input.calls ?? null,
      until: input.hours ? new Date(now.getTime() + input.hours * 3600_000).toISOString() : null,
      createdBy: actor.label,
      createdAt: now.toISOString(),
    };
    await this.repo.saveCapture(capture);
    return capture;
  }

  async clearCapture(actor: Actor, accountId: string, userId: string): Promise<void> {
    await this.access.require(actor, accountId, 'service.write');
    await this.requireUser(accountId, userId);
    await this.repo.deleteCapture(accountId, userId);
  }

  /** The account's calls in progress on this node. */
  async liveForAccount(actor: Actor, accountId: string): Promise<LiveCallInfo[]> {
    await this.access.require(actor, accountId, 'service.read');
    return this.live.list(new Set([accountId]));
  }

  /** The calls in progress of every account the caller can see (the provider's view across its clients). */
  async liveVisible(actor: Actor): Promise<LiveCallInfo[]> {
    if (await this.access.isOperator(actor)) return this.live.list();
    const visible = await this.access.visibleAccounts(actor);
    const allowed = new Set<string>();
    for (const account of visible)
      if ((await this.access.check(actor, account.id, 'service.read')) === 'allowed') allowed.add(account.id);
    return this.live.list(allowed);
  }

  /** Ends a call in progress (platform operators only). */
  async hangUp(actor: Actor, callId: string): Promise<void> {
    await this.access.requireOperator(actor, 'end a call in progress');
    if (!this.live.get(callId)) throw notFound('live call', callId);
    if (!this.control)
      throw new AppError(
        'precondition_failed',
        'Calls are not handled by this process (the SIP role is not running here): end the call on the node that carries it.',
      );
    if (!(await this.control.hangUp(callId))) throw notFound('live call', callId);
  }

  private async requireUser(accountId: string, userId: string): Promise<void> {
    if (!(await this.store.repos.users.findById(accountId, userId))) throw notFound('user', userId);
  }

  private async adviceOf(record: CallRecord): Promise<FailureAdvice | null> {
    if (!FAILED_RESULTS.has(record.result) && record.result !== 'no-answer' && record.result !== 'busy')
      return null;
    const objects = await this.store.repos.tenantObjects.listByService(record.accountId, record.serviceId);
    const ready = (kind: string) => objects.some((o) => o.kind === kind && o.state === 'ready');
    return adviceFor({
      call: {
        accountId: record.accountId,
        serviceId: record.serviceId,
        userId: record.userId,
        direction: record.direction,
        result: record.result,
        finalStatus: record.finalStatus,
        refusedBy: record.refusedBy,
        q850Cause: record.q850Cause,
        refusal: record.refusal,
        proxiesTried: proxiesTried(record),
      },
      ...(record.userId && { user: await this.adviceUser(record.accountId, record.userId) }),
      voiceRoutingPolicyReady: ready('voice_routing_policy'),
      domainReady: ready('domain'),
      subdomain: carrierNamesOf(record.serviceId, this.options.sbcDomain).domain,
      phoneAppDomain: this.options.phoneAppDomain,
    });
  }

  private async adviceUser(accountId: string, userId: string): Promise<AdviceUser | undefined> {
    const row = await this.store.handle.db
      .selectFrom('users')
      .select([
        'id',
        'display_name',
        'kind',
        'phone_number',
        'synced',
        'synced_line',
        'licences',
        'sync_error',
      ])
      .select('coexistence_mode')
      .where('account_id', '=', accountId)
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row) return undefined;
    const licences = JSON.parse(row.licences) as string[];
    return {
      id: row.id,
      displayName: row.display_name,
      kind: row.kind,
      phoneNumber: row.phone_number,
      teamsNumber: row.synced === 1 ? row.synced_line : null,
      hasTeamsPhone: licences.some((sku) => TEAMS_PHONE_SKU.test(sku)),
      syncError: row.sync_error,
      coexistenceMode: row.coexistence_mode,
    };
  }
}

/** Times as stored (UTC, milliseconds, `Z`): the records compare ISO text, so `09:04:00Z` and `10:04+01:00` match alike. */
function normalised(filters: CallFilters): CallFilters {
  return {
    ...filters,
    ...(filters.from && { from: new Date(filters.from).toISOString() }),
    ...(filters.to && { to: new Date(filters.to).toISOString() }),
  };
}

function viewOf(record: CallRecord): CallView {
  return { ...record, failed: FAILED_RESULTS.has(record.result) };
}

const CSV_HEADER = [
  'id',
  'startedAt',
  'endedAt',
  'direction',
  'userId',
  'from',
  'to',
  'result',
  'finalStatus',
  'refusedBy',
  'q850Cause',
  'durationSeconds',
  'proxy',
  'codec',
  'refusal',
];

function csvRowOf(r: CallRecord): unknown[] {
  return [
    r.id,
    r.startedAt,
    r.endedAt,
    r.direction,
    r.userId ?? '',
    r.from,
    r.to,
    r.result,
    r.finalStatus ?? '',
    r.refusedBy ?? '',
    r.q850Cause ?? '',
    (r.durationMs / 1000).toFixed(1),
    r.proxy ?? '',
    r.codec ?? '',
    r.refusal?.message ?? '',
  ];
}
