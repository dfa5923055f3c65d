import fc from 'fast-check';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { formatLineUri, parsePhoneNumberInput, type PhoneNumberInputResult } from './e164.js';
import { INVALID_NUMBER_MESSAGE } from './number-messages.js';

type Expected =
  | { e164: string; extension?: string; repair?: string; warning?: boolean }
  | { refused: string; suggestion?: string };

// Real-world inputs, as administrators type them and as Excel leaves them.
const table: [input: string, country: string | undefined, expected: Expected][] = [
  // United Kingdom
  ['+441235123465', 'GB', { e164: '+441235123465' }],
  ['+44 1235 123465', undefined, { e164: '+441235123465' }],
  ['+44 (0)1235 123465', undefined, { e164: '+441235123465', repair: 'national_prefix_removed' }],
  ['01235 123465', 'GB', { refused: 'national_format', suggestion: '+441235123465' }],
  ['01235-123465', 'GB', { refused: 'national_format', suggestion: '+441235123465' }],
  ['(01235) 123465', 'GB', { refused: 'national_format', suggestion: '+441235123465' }],
  ['0044 1235 123465', undefined, { e164: '+441235123465', repair: 'international_prefix' }],
  ['00441235123465', 'GB', { e164: '+441235123465', repair: 'international_prefix' }],
  ['441235123465', 'GB', { e164: '+441235123465', repair: 'lost_plus' }],
  ['4.41235E+11', 'GB', { refused: 'excel_rounded' }],
  ['4.41235123465E+11', 'GB', { e164: '+441235123465', repair: 'scientific_notation' }],
  ['4,41235123465E+11', 'FR', { e164: '+441235123465', repair: 'scientific_notation' }],
  ['+44 1235 123400 ext. 201', undefined, { e164: '+441235123400', extension: '201' }],
  ['+441235123400;ext=201', undefined, { e164: '+441235123400', extension: '201' }],
  ['+441235123400 x201', undefined, { e164: '+441235123400', extension: '201' }],
  ['01235 123400 ext 201', 'GB', { refused: 'national_format', suggestion: '+441235123400;ext=201' }],
  ['+44 7700 900123', 'GB', { e164: '+447700900123', warning: true }],
  ['+44 1235', undefined, { refused: 'too_short' }],
  ['+441235123465, +441235123466', 'GB', { refused: 'several_numbers' }],
  // United States
  ['+1 (212) 555-0123', undefined, { e164: '+12125550123' }],
  ['(212) 555-0123', 'US', { refused: 'national_format', suggestion: '+12125550123' }],
  ['212.555.0123', 'US', { refused: 'national_format', suggestion: '+12125550123' }],
  ['1-212-555-0123', 'US', { e164: '+12125550123', repair: 'lost_plus' }],
  ['12125550123', undefined, { e164: '+12125550123', repair: 'lost_plus' }],
  ['011 44 1235 123465', 'US', { e164: '+441235123465', repair: 'international_prefix' }],
  ['+1 800 555 0199', 'US', { e164: '+18005550199' }],
  // Germany
  ['+49 30 1234567', undefined, { e164: '+49301234567' }],
  ['030 1234567', 'DE', { refused: 'national_format', suggestion: '+49301234567' }],
  ['030/1234567', 'DE', { refused: 'national_format', suggestion: '+49301234567' }],
  ['0049 30 1234567', 'DE', { e164: '+49301234567', repair: 'international_prefix' }],
  ['49301234567', 'DE', { e164: '+49301234567', repair: 'lost_plus' }],
  // Excel drops a leading 0 as readily as a +: 0441 235123465 (Oldenburg) and +44 1235 123465 both become this.
  ['441235123465', 'DE', { refused: 'ambiguous', suggestion: '+49441235123465' }],
  // Australia
  ['+61 2 9876 5432', undefined, { e164: '+61298765432' }],
  ['02 9876 5432', 'AU', { refused: 'national_format', suggestion: '+61298765432' }],
  ['0011 44 1235 123465', 'AU', { e164: '+441235123465', repair: 'international_prefix' }],
  ['61298765432', 'AU', { e164: '+61298765432', repair: 'lost_plus' }],
  // France
  ['+33 1 23 45 67 89', undefined, { e164: '+33123456789' }],
  ['01 23 45 67 89', 'FR', { refused: 'national_format', suggestion: '+33123456789' }],
  ['01.23.45.67.89', 'FR', { refused: 'national_format', suggestion: '+33123456789' }],
  ['0033 1 23 45 67 89', 'FR', { e164: '+33123456789', repair: 'international_prefix' }],
  // Not numbers at all, or no country to read them in
  ['', 'GB', { refused: 'empty' }],
  ['n/a', 'GB', { refused: 'not_a_number' }],
  ['+999 123 456', undefined, { refused: 'unknown_country_code' }],
  ['01235 123465', undefined, { refused: 'missing_country_code' }],
  ['4155550123', 'US', { refused: 'national_format', suggestion: '+14155550123' }],
];

function describeOutcome(result: PhoneNumberInputResult): Expected {
  if (!result.ok) {
    return result.suggestion === undefined
      ? { refused: result.problem }
      : { refused: result.problem, suggestion: result.suggestion };
  }
  const outcome: Expected = { e164: result.e164 };
  if (result.extension !== undefined) outcome.extension = result.extension;
  const repair = result.repairs[0]?.kind;
  if (repair !== undefined) outcome.repair = repair;
  if (result.warnings.length > 0) outcome.warning = true;
  return outcome;
}

describe('parsePhoneNumberInput: real-world inputs', () => {
  it.each(table)('%j (%s)', (input, country, expected) => {
    expect(describeOutcome(parsePhoneNumberInput(input, { defaultCountry: country }))).toEqual(expected);
  });

  it('offers the E.164 form of a national number in the exact wording of the field', () => {
    const result = parsePhoneNumberInput('01235 123465', { defaultCountry: 'GB' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(
      'The telephone number provided is not valid: it is a national number (United Kingdom) without the country ' +
        'code. Enter it in E.164 format with the country code: +441235123465.',
    );
  });

  it('derives the Teams line URI, with the extension after the number', () => {
    const result = parsePhoneNumberInput('+44 1235 123400 ext. 201', { serviceKind: 'pbx' });
    expect(result).toMatchObject({
      lineUri: 'tel:+441235123400;ext=201',
      numberType: 'extension',
      country: 'GB',
    });
    expect(parsePhoneNumberInput('+441235123465')).toMatchObject({
      lineUri: 'tel:+441235123465',
      numberType: 'ddi',
    });
    expect(parsePhoneNumberInput('+441235123465', { serviceKind: 'trunk' })).toMatchObject({
      numberType: 'trunk',
    });
  });

  it('refuses a lost + with the corrected number when repairs are off (a form the administrator confirms)', () => {
    const result = parsePhoneNumberInput('441235123465', { defaultCountry: 'GB', repairExcelDamage: false });
    expect(result).toMatchObject({ ok: false, problem: 'missing_plus', suggestion: '+441235123465' });
  });

  it('says which digits Excel lost when scientific notation cannot be undone', () => {
    const result = parsePhoneNumberInput('4.41235E+11', { defaultCountry: 'GB' });
    expect(result.ok ? '' : result.message).toContain('last 6 digits are lost');
  });
});

const e164Shape = /^\+[1-9]\d{6,14}$/;

describe('parsePhoneNumberInput: properties', () => {
  const countries = fc.constantFrom(undefined, 'GB', 'US', 'DE', 'AU', 'FR', 'xx', 'gb');
  const phoneish = fc.stringMatching(/^[+0-9 ()\-.xte;=E,]{0,30}$/);

  it('never throws, and every refusal starts with the exact message', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), phoneish),
        countries,
        (input, c) => {
          const result = parsePhoneNumberInput(input, { defaultCountry: c });
          if (!result.ok) expect(result.message.startsWith(`${INVALID_NUMBER_MESSAGE}: `)).toBe(true);
          else expect(result.e164).toMatch(e164Shape);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('every accepted number is E.164 and reads back as itself, with the same line URI', () => {
    fc.assert(
      fc.property(phoneish, countries, (input, c) => {
        const result = parsePhoneNumberInput(input, { defaultCountry: c });
        if (!result.ok) return;
        expect(result.e164).toMatch(e164Shape);
        const again = parsePhoneNumberInput(result.e164);
        expect(again).toMatchObject({ ok: true, e164: result.e164, repairs: [] });
        expect(result.lineUri).toBe(formatLineUri(result.e164, result.extension));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads any E.164-shaped number of a real country code as itself, formatted or not', () => {
    const e164 = fc
      .tuple(fc.constantFrom('44', '1', '49', '61', '33', '353', '91'), fc.stringMatching(/^[1-9]\d{8,9}$/))
      .map(([code, rest]) => `+${code}${rest}`);
    fc.assert(
      fc.property(e164, (number) => {
        const spaced = `${number.slice(0, 3)} ${number.slice(3, 7)}-${number.slice(7)}`;
        const plain = parsePhoneNumberInput(number);
        if (!plain.ok) return;
        expect(plain.e164).toBe(number);
        expect(parsePhoneNumberInput(spaced)).toMatchObject({ ok: true, e164: number });
      }),
    );
  });
});

describe('parsePhoneNumberInput: every country of the metadata', () => {
  const countries = getCountries().filter((country) => getExampleNumber(country, examples) !== undefined);

  it.each(countries)(
    '%s: the national form is refused with the E.164 form offered, which is accepted',
    (country) => {
      const example = getExampleNumber(country, examples)!;
      const result = parsePhoneNumberInput(example.formatNational(), { defaultCountry: country });
      const offered = result.ok ? result.e164 : result.suggestion;
      expect(offered).toBe(example.number);
      expect(parsePhoneNumberInput(example.number)).toMatchObject({
        ok: true,
        e164: example.number,
        warnings: [],
      });
      expect(parsePhoneNumberInput(example.formatInternational())).toMatchObject({
        ok: true,
        e164: example.number,
      });
    },
  );
});
