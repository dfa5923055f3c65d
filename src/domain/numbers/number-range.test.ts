import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVALID_NUMBER_MESSAGE } from './number-messages.js';
import {
  createNumberRange,
  formatRange,
  numberAt,
  rangeContains,
  rangeOverlap,
  rangeSize,
  type NumberRange,
} from './number-range.js';
import {
  checkNoOverlap,
  checkNumberInRanges,
  checkRangeDeletable,
  nextFreeNumber,
  nextFreeNumbers,
  rangeUsage,
} from './range-usage.js';

const hundred: NumberRange = { start: '+441235123400', end: '+441235123499' };

describe('createNumberRange', () => {
  it('accepts a range and a single number', () => {
    expect(createNumberRange('+44 1235 123400', '+44 1235 123499')).toMatchObject({
      ok: true,
      range: hundred,
      size: 100,
    });
    expect(createNumberRange('+441235123465')).toMatchObject({
      ok: true,
      range: { start: '+441235123465', end: '+441235123465' },
      size: 1,
    });
  });

  it.each([
    ['+441235123499', '+441235123400', 'comes before its start'],
    ['+4930123456', '+49301234567', 'different numbers of digits'],
    ['+441235123400', '+33123456789', 'different country codes'],
    ['+441235123400;ext=1', '+441235123499', 'has an extension'],
  ])('refuses %s to %s (%s)', (start, end, why) => {
    const result = createNumberRange(start, end);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(why);
  });

  it('refuses a national range end with the E.164 form offered, in the exact wording', () => {
    const result = createNumberRange('+441235123400', '01235 123499', { defaultCountry: 'GB' });
    expect(result).toMatchObject({
      ok: false,
      code: 'invalid_phone_number',
      details: { field: 'end', fix: '+441235123499' },
    });
    expect(result.ok ? '' : result.message.startsWith(INVALID_NUMBER_MESSAGE)).toBe(true);
  });

  it('refuses ranges larger than the limit', () => {
    expect(createNumberRange('+441235000000', '+441235999999', { maxSize: 1000 })).toMatchObject({
      ok: false,
    });
    expect(createNumberRange('+441230000000', '+441230999999')).toMatchObject({ ok: true, size: 1_000_000 });
    expect(createNumberRange('+441230000000', '+441231000000')).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
  });
});

describe('overlap, deletion, membership', () => {
  it('names the overlapping range and the numbers in common', () => {
    const check = checkNoOverlap({ start: '+441235123450', end: '+441235123549' }, [hundred]);
    expect(check).toMatchObject({ ok: false, code: 'conflict' });
    expect(check.ok ? '' : check.message).toContain(`${formatRange(hundred)} (50 numbers in common)`);
    expect(checkNoOverlap({ start: '+441235123500', end: '+441235123599' }, [hundred])).toEqual({ ok: true });
  });

  it('refuses deleting a range while a number in it is used, naming the holders', () => {
    const inUse = [
      { e164: '+441235123401', holderName: 'Jane Smith' },
      { e164: '+441235129999', holderName: 'Outside' },
    ];
    const check = checkRangeDeletable(hundred, inUse);
    expect(check.ok ? '' : check.message).toContain('+441235123401 (Jane Smith)');
    expect(check.ok ? '' : check.message).not.toContain('Outside');
    expect(checkRangeDeletable(hundred, inUse.slice(1))).toEqual({ ok: true });
  });

  it('accepts a trunk number only from a range of the service', () => {
    expect(checkNumberInRanges('+441235123465', [hundred])).toEqual({ ok: true });
    expect(checkNumberInRanges('+441235123565', [hundred])).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
  });
});

// Ranges near the end of the 15-digit space too, where Number arithmetic would lose digits.
const rangeArb = fc
  .tuple(
    fc.constantFrom('+4412351', '+1212555', '+99999999999'),
    fc.integer({ min: 0, max: 999 }),
    fc.integer({ min: 0, max: 400 }),
  )
  .map(([prefix, first, length]): NumberRange => {
    const digits = 15 - (prefix.length - 1);
    const start = `${prefix}${String(first).padStart(digits, '0')}`;
    return { start, end: numberAt({ start, end: start }, length) };
  });

describe('range arithmetic: properties', () => {
  it('counts used and free numbers, and the next free number is the lowest unused one in the range', () => {
    fc.assert(
      fc.property(
        rangeArb,
        fc.array(fc.integer({ min: -5, max: 420 }), { maxLength: 300 }),
        (range, offsets) => {
          const used = offsets.map((offset) => (offset < 0 ? '+441' : numberAt(range, offset)));
          const inside = new Set(used.filter((number) => rangeContains(range, number)));
          const usage = rangeUsage(range, used);
          expect(usage).toEqual({
            size: rangeSize(range),
            used: inside.size,
            free: rangeSize(range) - inside.size,
          });
          const next = nextFreeNumber(range, used);
          if (usage.free === 0) {
            expect(next).toBeUndefined();
            return;
          }
          expect(next).toBeDefined();
          expect(rangeContains(range, next!)).toBe(true);
          expect(inside.has(next!)).toBe(false);
          for (let offset = 0; numberAt(range, offset) !== next; offset += 1)
            expect(inside.has(numberAt(range, offset))).toBe(true);
        },
      ),
    );
  });

  it('gives distinct ascending free numbers, as many as asked or as are free', () => {
    fc.assert(
      fc.property(
        rangeArb,
        fc.array(fc.integer({ min: 0, max: 400 })),
        fc.integer({ min: 1, max: 50 }),
        (range, offsets, count) => {
          const used = offsets.map((offset) => numberAt(range, offset));
          const free = nextFreeNumbers(range, used, count);
          expect(free.length).toBe(Math.min(count, rangeUsage(range, used).free));
          expect([...free].sort()).toEqual(free);
          expect(new Set(free).size).toBe(free.length);
          expect(free.some((number) => used.includes(number) || !rangeContains(range, number))).toBe(false);
        },
      ),
    );
  });

  it('overlap is symmetric and agrees with membership', () => {
    fc.assert(
      fc.property(rangeArb, rangeArb, (a, b) => {
        expect(rangeOverlap(a, b)).toBe(rangeOverlap(b, a));
        expect(rangeOverlap(a, b) > 0).toBe(rangeContains(a, b.start) || rangeContains(b, a.start));
        expect(rangeOverlap(a, a)).toBe(rangeSize(a));
      }),
    );
  });

  it('finds the next free number of a full million-number range quickly', () => {
    const range: NumberRange = { start: '+441230000000', end: '+441230999999' };
    const used = Array.from({ length: 999_999 }, (_, offset) => numberAt(range, offset));
    const started = performance.now();
    expect(nextFreeNumber(range, used)).toBe('+441230999999');
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
