import { setImmediate } from 'node:timers/promises';
import { AppError } from '../domain/errors.js';
import { holdings, licenceShortfall, licenceSummary, skusOf, type LicenceLine } from '../domain/licences.js';
import type { Actor, Sku } from '../domain/records.js';
import type { Repositories, Store } from '../store/store.js';
import type { AccessService } from './access.service.js';

/**
 * Licence consumption, computed from the users (never stored twice): the summary administrators see, and the guard
 * that refuses a change configuring more users than the account holds licences for.
 */
export class LicencesService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  /** Held, used and free per SKU, with trial end dates and warnings. */
  async summary(actor: Actor, accountId: string, now = new Date()): Promise<LicenceLine[]> {
    await this.access.require(actor, accountId, 'licence.read');
    const repos = this.store.repos;
    return licenceSummary(
      await repos.subscriptions.listByAccount(accountId),
      await usage(repos, accountId),
      now,
    );
  }

  /**
   * Runs `change` inside the caller's transaction and refuses it (rolling it back) when it configures more users
   * than the account holds licences for, naming the SKU and how many are missing.
   */
  async within<T>(tx: Repositories, accountId: string, change: () => Promise<T>): Promise<T> {
    const before = await usage(tx, accountId);
    const result = await change();
    const after = await usage(tx, accountId);
    const held = holdings(await tx.subscriptions.listByAccount(accountId), new Date());
    const problem = licenceShortfall(held, before, after);
    if (problem) throw new AppError('licence_exceeded', problem);
    return result;
  }
}

/** Users counted per query: one count over a 50,000-user account took 50-90 ms on SQLite, a long wait for others. */
const COUNT_SLICE = 5000;

/**
 * Licences used per SKU by an account's configured users, counted in slices of users in id order with the event
 * loop given back between them (short queries, so others waiting for the connection get their turn). Inside a transaction the slices see one
 * snapshot, so the sum is exact.
 */
export async function usage(repos: Repositories, accountId: string): Promise<Map<Sku, number>> {
  const used = new Map<Sku, number>();
  let after: string | null = null;
  for (;;) {
    const through: string | null = (await repos.users.idAfter(accountId, after, COUNT_SLICE)) ?? null;
    for (const row of await repos.users.countConfigured(accountId, { after, through }))
      for (const sku of skusOf(row.serviceKind, row.userKind))
        used.set(sku, (used.get(sku) ?? 0) + row.count);
    if (through === null) return used;
    after = through;
    await setImmediate();
  }
}
