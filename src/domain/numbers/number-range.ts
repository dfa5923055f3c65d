/**
 * Number ranges of SIP trunk services: a block of consecutive E.164 numbers (a single number is a range of one).
 * A range is never edited, only deleted and added again, so it is a value: created once, validated once.
 * Arithmetic is on BigInt (E.164 has at most 15 digits, but nothing here should depend on that staying true);
 * offsets inside a range are plain numbers, since a range holds at most {@link maxRangeSize} numbers.
 */
import { parsePhoneNumberInput } from './e164.js';
import { refuseRule, type NumberRuleRefusal } from './number-check.js';

/** Largest range accepted: one million numbers. */
export const maxRangeSize = 1_000_000;

/** A validated range: same country code and length at both ends, start <= end. */
export interface NumberRange {
  /** First number, E.164. */
  start: string;
  /** Last number, E.164; equal to `start` for a single number. */
  end: string;
}

/** A created range with its size and doubts worth showing (numbers not valid in their numbering plan). */
export type NumberRangeResult =
  { ok: true; range: NumberRange; size: number; warnings: string[] } | NumberRuleRefusal;

export interface NumberRangeOptions {
  /** Country to read national numbers in (they are refused with the E.164 form offered). */
  defaultCountry?: string | null;
  /** Largest size accepted; defaults to {@link maxRangeSize}. */
  maxSize?: number;
}

/**
 * Validate a range typed by an administrator (`end` omitted or empty for a single number).
 * @example createNumberRange('+441235123400', '+441235123499') // { ok: true, size: 100, ... }
 */
export function createNumberRange(
  start: string,
  end?: string | null,
  options: NumberRangeOptions = {},
): NumberRangeResult {
  const first = readEnd(start, 'start', options);
  if (!first.ok) return first;
  const last = end === undefined || end === null || end.trim() === '' ? first : readEnd(end, 'end', options);
  if (!last.ok) return last;
  const range: NumberRange = { start: first.e164, end: last.e164 };
  const shapeRefusal = refuseShape(range, first.countryCallingCode, last.countryCallingCode);
  if (shapeRefusal) return shapeRefusal;
  const size = rangeSize(range);
  const maxSize = options.maxSize ?? maxRangeSize;
  if (size > maxSize) {
    return refuseRule(
      'validation_failed',
      `The range ${formatRange(range)} holds ${size.toLocaleString('en')} numbers; at most ` +
        `${maxSize.toLocaleString('en')} are allowed in one range. Split it into smaller ranges.`,
      { field: 'end', size, maxSize },
    );
  }
  const warnings = [...new Set([...first.warnings, ...last.warnings])];
  return { ok: true, range, size, warnings };
}

type RangeEnd =
  { ok: true; e164: string; countryCallingCode: string; warnings: string[] } | NumberRuleRefusal;

function readEnd(text: string, field: 'start' | 'end', options: NumberRangeOptions): RangeEnd {
  const parsed = parsePhoneNumberInput(text, {
    defaultCountry: options.defaultCountry,
    repairExcelDamage: false,
  });
  if (!parsed.ok) {
    return refuseRule('invalid_phone_number', parsed.message, {
      field,
      problem: parsed.problem,
      fix: parsed.suggestion,
    });
  }
  if (parsed.extension !== undefined) {
    return refuseRule(
      'validation_failed',
      `The range ${field} ${text.trim()} has an extension; a trunk range holds numbers only. Remove the extension.`,
      { field },
    );
  }
  return {
    ok: true,
    e164: parsed.e164,
    countryCallingCode: parsed.countryCallingCode,
    warnings: parsed.warnings,
  };
}

function refuseShape(range: NumberRange, startCode: string, endCode: string): NumberRuleRefusal | undefined {
  if (startCode !== endCode) {
    return refuseRule(
      'validation_failed',
      `The range start ${range.start} and end ${range.end} have different country codes (+${startCode}, +${endCode}). ` +
        'A range lies within one country: add one range per country.',
      { field: 'end' },
    );
  }
  if (range.start.length !== range.end.length) {
    return refuseRule(
      'validation_failed',
      `The range start ${range.start} and end ${range.end} have different numbers of digits. ` +
        'Both ends of a range have the same length: check for a missing or extra digit.',
      { field: 'end' },
    );
  }
  if (valueOf(range.start) > valueOf(range.end)) {
    return refuseRule(
      'validation_failed',
      `The range end ${range.end} comes before its start ${range.start}. Swap the two numbers.`,
      { field: 'end' },
    );
  }
  return undefined;
}

/** The digits of an E.164 number as an integer. */
function valueOf(e164: string): bigint {
  return BigInt(e164.slice(1));
}

/**
 * How many numbers a range holds.
 * @example rangeSize({ start: '+441235123400', end: '+441235123499' }) // 100
 */
export function rangeSize(range: NumberRange): number {
  return Number(valueOf(range.end) - valueOf(range.start)) + 1;
}

/**
 * Position of a number in a range (0 for the start), or undefined when it is outside.
 * @example offsetInRange(range, '+441235123401') // 1
 */
export function offsetInRange(range: NumberRange, e164: string): number | undefined {
  if (e164.length !== range.start.length || !/^\+\d+$/.test(e164)) return undefined;
  const value = valueOf(e164);
  if (value < valueOf(range.start) || value > valueOf(range.end)) return undefined;
  return Number(value - valueOf(range.start));
}

/**
 * The number at a position of a range.
 * @example numberAt({ start: '+441235123400', end: '+441235123499' }, 5) // '+441235123405'
 */
export function numberAt(range: NumberRange, offset: number): string {
  const digits = (valueOf(range.start) + BigInt(offset)).toString();
  return `+${digits.padStart(range.start.length - 1, '0')}`;
}

/**
 * Is the number in the range?
 * @example rangeContains({ start: '+441235123400', end: '+441235123499' }, '+441235123465') // true
 */
export function rangeContains(range: NumberRange, e164: string): boolean {
  return offsetInRange(range, e164) !== undefined;
}

/**
 * How many numbers two ranges have in common (0 when they do not overlap).
 * @example rangeOverlap(a, b) // 50
 */
export function rangeOverlap(a: NumberRange, b: NumberRange): number {
  if (a.start.length !== b.start.length) return 0;
  const low = valueOf(a.start) > valueOf(b.start) ? valueOf(a.start) : valueOf(b.start);
  const high = valueOf(a.end) < valueOf(b.end) ? valueOf(a.end) : valueOf(b.end);
  return high < low ? 0 : Number(high - low) + 1;
}

/**
 * The range as shown to administrators: `+441235123400 to +441235123499`, or the single number.
 * @example formatRange({ start: '+441235123465', end: '+441235123465' }) // '+441235123465'
 */
export function formatRange(range: NumberRange): string {
  return range.start === range.end ? range.start : `${range.start} to ${range.end}`;
}
