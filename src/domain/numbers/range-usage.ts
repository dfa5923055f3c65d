/**
 * Rules over a trunk service's ranges and the numbers in use: no overlap, counts of free and used numbers, the next
 * free number for assignment, and no deletion while a number in the range is used. The numbers in use are given
 * (the store reads them), so these stay pure. Work is O(k log k) in the numbers used, never in the range size,
 * and nothing is allocated per number of the range.
 */
import { allowed, listSome, refuseRule, type NumberRuleCheck } from './number-check.js';
import {
  formatRange,
  numberAt,
  offsetInRange,
  rangeOverlap,
  rangeSize,
  type NumberRange,
} from './number-range.js';

/** Counts for one range. */
export interface RangeUsage {
  size: number;
  used: number;
  free: number;
}

/** A number in use and who holds it, to name them when a range cannot be deleted. */
export interface NumberInUse {
  e164: string;
  holderName: string;
}

/**
 * Refuse a new range that overlaps an existing one of the tenant, naming it.
 * @example checkNoOverlap(candidate, existingRanges) // { ok: false, code: 'conflict', ... }
 */
export function checkNoOverlap(candidate: NumberRange, existing: Iterable<NumberRange>): NumberRuleCheck {
  for (const range of existing) {
    const common = rangeOverlap(candidate, range);
    if (common === 0) continue;
    return refuseRule(
      'conflict',
      `The range ${formatRange(candidate)} overlaps the existing range ${formatRange(range)} ` +
        `(${common.toLocaleString('en')} number${common === 1 ? '' : 's'} in common). Ranges cannot overlap: ` +
        'add only the numbers outside the existing range, or delete it and add the combined range.',
      { overlapping: range, common },
    );
  }
  return allowed;
}

/**
 * Positions in the range of the used numbers inside it, sorted and without repeats.
 * Already sorted input (as the store can return it) sorts in linear time.
 */
function usedOffsets(range: NumberRange, used: Iterable<string>): Float64Array {
  const offsets: number[] = [];
  const start = BigInt(range.start.slice(1));
  const size = BigInt(rangeSize(range));
  for (const e164 of used) {
    if (e164.length !== range.start.length || !/^\+\d+$/.test(e164)) continue;
    const offset = BigInt(e164.slice(1)) - start;
    if (offset >= 0n && offset < size) offsets.push(Number(offset));
  }
  const sorted = Float64Array.from(offsets).sort();
  let distinct = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    const value = sorted[index] ?? 0;
    if (index === 0 || value !== sorted[distinct - 1]) sorted[distinct++] = value;
  }
  return sorted.subarray(0, distinct);
}

/**
 * Counts of used and free numbers in a range.
 * @example rangeUsage({ start: '+441235123400', end: '+441235123499' }, ['+441235123400']) // { size: 100, used: 1, free: 99 }
 */
export function rangeUsage(range: NumberRange, used: Iterable<string>): RangeUsage {
  const size = rangeSize(range);
  const usedCount = usedOffsets(range, used).length;
  return { size, used: usedCount, free: size - usedCount };
}

/**
 * The first `count` free numbers of a range, lowest first (fewer when the range runs out).
 * @example nextFreeNumbers(range, ['+441235123400', '+441235123401'], 2) // ['+441235123402', '+441235123403']
 */
export function nextFreeNumbers(range: NumberRange, used: Iterable<string>, count: number): string[] {
  const size = rangeSize(range);
  const free: string[] = [];
  let candidate = 0;
  for (const offset of usedOffsets(range, used)) {
    while (candidate < offset && free.length < count) free.push(numberAt(range, candidate++));
    if (free.length >= count) return free;
    candidate = offset + 1;
  }
  while (candidate < size && free.length < count) free.push(numberAt(range, candidate++));
  return free;
}

/**
 * The lowest free number of a range, or undefined when every number is used.
 * @example nextFreeNumber({ start: '+441235123400', end: '+441235123401' }, ['+441235123400']) // '+441235123401'
 */
export function nextFreeNumber(range: NumberRange, used: Iterable<string>): string | undefined {
  return nextFreeNumbers(range, used, 1)[0];
}

/**
 * The lowest free number across several ranges, in the order given.
 * @example nextFreeNumberInRanges([rangeA, rangeB], used) // '+441235123402'
 */
export function nextFreeNumberInRanges(
  ranges: Iterable<NumberRange>,
  used: readonly string[],
): string | undefined {
  for (const range of ranges) {
    const free = nextFreeNumber(range, used);
    if (free !== undefined) return free;
  }
  return undefined;
}

/**
 * A range can be deleted only when none of its numbers is in use; the refusal names them.
 * @example checkRangeDeletable(range, [{ e164: '+441235123401', holderName: 'Jane Smith' }]) // refused
 */
export function checkRangeDeletable(range: NumberRange, inUse: Iterable<NumberInUse>): NumberRuleCheck {
  const inRange = [...inUse]
    .filter((number) => offsetInRange(range, number.e164) !== undefined)
    .sort((a, b) => a.e164.localeCompare(b.e164));
  if (inRange.length === 0) return allowed;
  const named = inRange.map((number) => `${number.e164} (${number.holderName})`);
  const count = inRange.length;
  return refuseRule(
    'precondition_failed',
    `The range ${formatRange(range)} cannot be deleted: ${count} of its numbers ${count === 1 ? 'is' : 'are'} in ` +
      `use: ${listSome(named)}. Give these users other numbers or remove their numbers first, then delete the range.`,
    { inUse: inRange.map((number) => number.e164) },
  );
}

/**
 * A trunk number must come from one of the service's ranges.
 * @example checkNumberInRanges('+441235123465', ranges) // allowed when a range contains it
 */
export function checkNumberInRanges(e164: string, ranges: readonly NumberRange[]): NumberRuleCheck {
  if (ranges.some((range) => offsetInRange(range, e164) !== undefined)) return allowed;
  const listed =
    ranges.length === 0
      ? 'The service has no number ranges yet'
      : `The service's ranges are ${listSome(ranges.map(formatRange), 5)}`;
  return refuseRule(
    'validation_failed',
    `${e164} is not in any number range of this trunk service. ${listed}. ` +
      'Add a range that holds the number, or choose a number from a range.',
    { e164 },
  );
}
