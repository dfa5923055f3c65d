import { AppError, notFound } from '../../domain/errors.js';
import {
  assertAllowed,
  checkNoOverlap,
  checkRangeDeletable,
  createNumberRange,
  formatRange,
  nextFreeNumbers,
  toAppError,
} from '../../domain/numbers/index.js';
import type { Actor, NumberRangeRecord } from '../../domain/records.js';
import type { Repositories, Store } from '../../store/store.js';
import type {
  AddNumberRangeInput,
  AddedNumberRangeView,
  NextFreeView,
  NumberRangeView,
} from '../schemas/numbers.schema.js';
import { findTrunkService } from './trunk-numbers.js';
import type { AccessService } from '../access.service.js';

/** Largest range a trunk service takes: more numbers than that are added as several ranges. */
export const maxTrunkRangeSize = 100_000;

/**
 * Number ranges of SIP trunk services: added and deleted, never edited; no overlap within an account; not deleted
 * while a number in them is used; counts of used and free numbers; the next free numbers for assignment.
 */
export class NumberRangesService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  /** The ranges of a trunk service with their counts, lowest first. */
  async list(actor: Actor, accountId: string, serviceId: string): Promise<NumberRangeView[]> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    const ranges = await this.store.repos.numberRanges.list(accountId, serviceId);
    return Promise.all(ranges.map((range) => this.present(this.store.repos, range)));
  }

  async get(actor: Actor, accountId: string, rangeId: string): Promise<NumberRangeView> {
    await this.access.require(actor, accountId, 'service.read');
    return this.present(this.store.repos, await this.find(this.store.repos, accountId, rangeId));
  }

  /** Adds a range (a single number when `end` is omitted); refused when it overlaps a range of the account. */
  async add(
    actor: Actor,
    accountId: string,
    serviceId: string,
    input: AddNumberRangeInput,
  ): Promise<AddedNumberRangeView> {
    await this.access.require(actor, accountId, 'service.write');
    return this.store.transaction(async (tx) => {
      const service = await findTrunkService(tx, accountId, serviceId, 'Number ranges');
      const created = createNumberRange(input.start, input.end, {
        defaultCountry: service.country,
        maxSize: maxTrunkRangeSize,
      });
      if (!created.ok) {
        // Offer the corrected number under the key the portal and CLI show for every number field.
        const fix = created.details['fix'];
        throw typeof fix === 'string'
          ? new AppError(created.code, created.message, { ...created.details, suggestion: fix })
          : toAppError(created);
      }
      await tx.numberRanges.lockAccount(accountId);
      assertAllowed(checkNoOverlap(created.range, await tx.numberRanges.list(accountId)));
      const range = await tx.numberRanges.create({
        accountId,
        serviceId,
        ...created.range,
        size: created.size,
      });
      await tx.audit.append({
        accountId,
        actor,
        action: 'number_range.create',
        objectType: 'number_range',
        objectId: range.id,
        before: null,
        after: range,
      });
      return { ...(await this.present(tx, range)), warnings: created.warnings };
    });
  }

  /** Deletes a range; refused, naming the users, while any of its numbers is held. */
  async delete(actor: Actor, accountId: string, rangeId: string): Promise<void> {
    await this.access.require(actor, accountId, 'service.write');
    await this.store.transaction(async (tx) => {
      await tx.numberRanges.lockAccount(accountId);
      const range = await this.find(tx, accountId, rangeId);
      const holders = await tx.numberRanges.listHolders(accountId, range);
      const deletable = checkRangeDeletable(
        range,
        holders.map((holder) => ({
          e164: holder.e164,
          holderName: `${holder.displayName} <${holder.email}>`,
        })),
      );
      if (!deletable.ok) {
        throw new AppError(deletable.code, deletable.message, {
          ...deletable.details,
          users: holders.map((holder) => ({ id: holder.userId, email: holder.email, number: holder.e164 })),
        });
      }
      await tx.numberRanges.delete(accountId, rangeId);
      await tx.audit.append({
        accountId,
        actor,
        action: 'number_range.delete',
        objectType: 'number_range',
        objectId: range.id,
        before: range,
        after: null,
      });
    });
  }

  /** The lowest free numbers of one range (neither held by a user nor kept as a service number). */
  async nextFreeInRange(
    actor: Actor,
    accountId: string,
    rangeId: string,
    count: number,
  ): Promise<NextFreeView> {
    await this.access.require(actor, accountId, 'service.read');
    const range = await this.find(this.store.repos, accountId, rangeId);
    const numbers = await this.freeNumbers(range, count);
    if (numbers.length === 0) throw rangesFull([range]);
    return { numbers: numbers.map((number) => ({ number, rangeId: range.id })) };
  }

  /** The lowest free numbers across a trunk service's ranges, range by range. */
  async nextFreeForService(
    actor: Actor,
    accountId: string,
    serviceId: string,
    count: number,
  ): Promise<NextFreeView> {
    await this.access.require(actor, accountId, 'service.read');
    await findTrunkService(this.store.repos, accountId, serviceId, 'Number ranges');
    const ranges = await this.store.repos.numberRanges.list(accountId, serviceId);
    if (ranges.length === 0) {
      throw new AppError(
        'precondition_failed',
        'This trunk service has no number ranges yet, so it has no free numbers. Add a number range first.',
        { serviceId },
      );
    }
    const found: NextFreeView['numbers'] = [];
    for (const range of ranges) {
      if (found.length >= count) break;
      const numbers = await this.freeNumbers(range, count - found.length);
      found.push(...numbers.map((number) => ({ number, rangeId: range.id })));
    }
    if (found.length === 0) throw rangesFull(ranges);
    return { numbers: found };
  }

  private async freeNumbers(range: NumberRangeRecord, count: number): Promise<string[]> {
    const occupied = await this.store.repos.numberRanges.listOccupiedNumbers(range.accountId, range);
    return nextFreeNumbers(range, occupied, count);
  }

  private async find(repos: Repositories, accountId: string, rangeId: string): Promise<NumberRangeRecord> {
    const range = await repos.numberRanges.findById(accountId, rangeId);
    if (!range) throw notFound('number range', rangeId);
    return range;
  }

  private async present(repos: Repositories, range: NumberRangeRecord): Promise<NumberRangeView> {
    const { used, occupied } = await repos.numberRanges.countUsage(range.accountId, range);
    return { ...range, used, reserved: occupied - used, free: range.size - occupied };
  }
}

function rangesFull(ranges: readonly NumberRangeRecord[]): AppError {
  const listed = ranges.map(formatRange).join(', ');
  return new AppError(
    'precondition_failed',
    `No free number: every number of ${listed} is held by a user or kept as a service number. ` +
      'Add a number range, or free a number first.',
    { rangeIds: ranges.map((range) => range.id) },
  );
}
