/**
 * The use-cases of alerts for people: open alerts of an account (the health pages), the alert history with
 * filters. Reading needs `service.read`. An account's alerts include those of the accounts beneath it (a
 * provider sees its clients'), and a provider (partner account) also sees the platform's (the Teams edge).
 */
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/records.js';
import type { AccessService } from '../services/access.service.js';
import type { Store } from '../store/store.js';
import type { Alert } from './alert.types.js';
import type { AlertFilters, AlertsRepository } from './alerts.repository.js';
import type { AlertView } from './alerts.schema.js';

export class AlertsService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly repo: AlertsRepository,
  ) {}

  /**
   * The open alerts of the account and of every account beneath it, with the platform's when the account is a
   * partner; newest first. For the account health page and the provider overview.
   *
   * @example const open = await services.alerts.listOpen(actor, accountId); open.filter((a) => a.accountId === c.id)
   */
  async listOpen(actor: Actor, accountId: string): Promise<AlertView[]> {
    await this.access.require(actor, accountId, 'service.read');
    const { ids, names, partner } = await this.reach(accountId);
    return this.viewsOf(await this.repo.listOpen(ids, partner), names);
  }

  /** The alerts of the account and those beneath it (as `listOpen`), open and resolved, newest first with a cursor (the alerts page). */
  async list(
    actor: Actor,
    accountId: string,
    query: AlertFilters & { limit: number; cursor?: string | undefined },
  ): Promise<{ items: AlertView[]; nextCursor: string | null }> {
    await this.access.require(actor, accountId, 'service.read');
    const { limit, cursor, ...filters } = query;
    const { ids, names, partner } = await this.reach(accountId);
    const page = await this.repo.list(
      ids,
      partner,
      filters,
      limit,
      cursor === undefined ? undefined : cursorFrom(cursor),
    );
    return {
      items: this.viewsOf(page.items, names),
      nextCursor: page.next && Buffer.from(JSON.stringify(page.next)).toString('base64url'),
    };
  }

  private async reach(accountId: string) {
    const repos = this.store.repos;
    const [account, below] = await Promise.all([
      repos.accounts.findById(accountId),
      repos.accounts.descendantsOf([accountId]),
    ]);
    const accounts = account ? [account, ...below] : below;
    return {
      ids: accounts.map((a) => a.id),
      names: new Map(accounts.map((a) => [a.id, a.name])),
      partner: account?.kind === 'partner',
    };
  }

  private viewsOf(alerts: Alert[], names: Map<string, string>): AlertView[] {
    return alerts.map((a) => ({
      ...a,
      accountName: a.accountId === null ? null : (names.get(a.accountId) ?? null),
    }));
  }
}

function cursorFrom(cursor: string): { openedAt: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { openedAt?: unknown }).openedAt === 'string' &&
      typeof (value as { id?: unknown }).id === 'string'
    )
      return value as { openedAt: string; id: string };
  } catch {
    // refused below
  }
  throw new AppError(
    'validation_failed',
    'The cursor is not one this list gave: pass nextCursor as it came.',
    {
      field: 'cursor',
    },
  );
}
