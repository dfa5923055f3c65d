/**
 * The two ways digits can be read: as an international number (after a `+` or an international prefix), or, when
 * there is neither, as a national number of the customer's country or an international number whose `+` Excel
 * dropped. A national number is refused with its E.164 form offered; a lost `+` is repaired only when that reading
 * is a valid number and the national reading is not a different valid number.
 */
import {
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  getCountryCallingCode,
  type CountryCode,
  type PhoneNumber,
  type PhoneNumberType,
} from 'libphonenumber-js/max';
import { countryName, e164Fix, refuse, type RefusedPhoneNumber } from './number-messages.js';

const e164Shape = /^\+[1-9]\d{6,14}$/;

/** A repair made to the input, reported so the administrator sees what was changed. */
export interface NumberRepair {
  kind: 'international_prefix' | 'lost_plus' | 'scientific_notation' | 'national_prefix_removed';
  message: string;
}

/** What reading the digits gave: an E.164 number with its facts, or a refusal. */
export type NumberReading =
  | {
      ok: true;
      e164: string;
      country: string | null;
      countryCallingCode: string;
      lineType: PhoneNumberType | null;
      repairs: NumberRepair[];
      warnings: string[];
    }
  | RefusedPhoneNumber;

/** What the readers need besides the digits. */
export interface ReadingContext {
  extension: string | undefined;
  defaultCountry: CountryCode | undefined;
  repairExcel: boolean;
  repairs: NumberRepair[];
}

/**
 * Read digits that followed a `+` (or an international prefix) as an E.164 number.
 * @example readInternational('441235123465', context).ok // true
 */
export function readInternational(digits: string, context: ReadingContext): NumberReading {
  const plus = `+${digits}`;
  if (digits.startsWith('0')) {
    return refuse(
      'unknown_country_code',
      `${plus} has no country code: country codes never start with 0`,
      e164Fix(),
    );
  }
  const phone = parsePhoneNumberFromString(plus);
  if (phone === undefined || !e164Shape.test(phone.number)) return refuseLength(plus, digits.length);
  // A length the numbering plan never uses (+1 555 0100) cannot be dialled: refused, not stored with a warning.
  if (!phone.isPossible()) return refuseLength(phone.number, digitsOf(phone.number));
  const repairs = [...context.repairs];
  if (phone.number !== plus) {
    repairs.push({
      kind: 'national_prefix_removed',
      message: `${plus} was read as ${phone.number}: a 0 after the country code is dialled only inside the country`,
    });
  }
  return { ...factsOf(phone), repairs, warnings: warningsOf(phone) };
}

function digitsOf(e164: string): number {
  return e164.length - 1;
}

function refuseLength(plus: string, digitCount: number): RefusedPhoneNumber {
  const length = validatePhoneNumberLength(plus);
  if (length === 'INVALID_COUNTRY' || length === 'NOT_A_NUMBER') {
    return refuse(
      'unknown_country_code',
      `${plus} does not start with a country code in use`,
      'Check the country code after the +, e.g. +44 for the United Kingdom or +1 for the United States.',
    );
  }
  if (length === 'TOO_LONG' || digitCount > 15) {
    return refuse('too_long', `${plus} has too many digits for its country code`, 'Check the digits.');
  }
  if (length === 'INVALID_LENGTH') {
    return refuse(
      'invalid_length',
      `${plus} has a number of digits its country code does not use`,
      'Check that no digit is missing or doubled.',
    );
  }
  return refuse(
    'too_short',
    `${plus} has too few digits for its country code`,
    'Check that no digit is missing.',
  );
}

// Validity takes most of the time of a reading (pattern matching over the full metadata): judge each number once.
const validity = new WeakMap<PhoneNumber, boolean>();

function validOf(phone: PhoneNumber): boolean {
  let valid = validity.get(phone);
  if (valid === undefined) {
    valid = phone.isValid();
    validity.set(phone, valid);
  }
  return valid;
}

function factsOf(phone: PhoneNumber): Omit<NumberReading & { ok: true }, 'repairs' | 'warnings'> {
  return {
    ok: true,
    e164: phone.number,
    country: phone.country ?? null,
    countryCallingCode: phone.countryCallingCode,
    lineType: validOf(phone) ? (phone.getType() ?? null) : null,
  };
}

function warningsOf(phone: PhoneNumber): string[] {
  const where = phone.country ? countryName(phone.country) : `country code +${phone.countryCallingCode}`;
  if (!validOf(phone)) {
    return [
      `${phone.number} is not in use in the numbering plan of ${where}: check the digits. ` +
        'It is accepted as given, but calls to it may fail.',
    ];
  }
  return [];
}

/**
 * Read digits given without `+`: a national number of the default country (refused, E.164 form offered), or an
 * international number that lost its `+` in Excel (repaired, or refused with the suggestion when repairs are off).
 * @example readDigitsOnly('01235123465', { ...context, defaultCountry: 'GB' }) // refused, suggestion +441235123465
 */
export function readDigitsOnly(digits: string, context: ReadingContext): NumberReading {
  const national = nationalReading(digits, context.defaultCountry);
  const lostPlus = digits.startsWith('0') ? undefined : parsePhoneNumberFromString(`+${digits}`);
  const lostPlusValid = lostPlus !== undefined && validOf(lostPlus);
  if (national && nationalCallingCodeDiffers(national, context.defaultCountry) && validOf(national)) {
    // The default country's international prefix (011 in the US, 0011 in Australia) introduced another country.
    const repair: NumberRepair = {
      kind: 'international_prefix',
      message: `The international prefix was replaced by +`,
    };
    return { ...factsOf(national), repairs: [...context.repairs, repair], warnings: [] };
  }
  const nationalValid = national !== undefined && validOf(national);
  if (lostPlusValid && (!nationalValid || national.number === lostPlus.number)) {
    return repairLostPlus(lostPlus, context);
  }
  if (nationalValid && lostPlusValid) return refuseAmbiguous(national, lostPlus, context);
  if (nationalValid) return refuseNational(national, context);
  return refuseUnreadable(digits, lostPlus, context);
}

function nationalReading(digits: string, country: CountryCode | undefined): PhoneNumber | undefined {
  if (country === undefined) return undefined;
  const phone = parsePhoneNumberFromString(digits, country);
  return phone !== undefined && e164Shape.test(phone.number) ? phone : undefined;
}

function nationalCallingCodeDiffers(phone: PhoneNumber, country: CountryCode | undefined): boolean {
  return country !== undefined && phone.countryCallingCode !== getCountryCallingCode(country);
}

function typed(e164: string, extension: string | undefined): string {
  return extension === undefined ? e164 : `${e164};ext=${extension}`;
}

function repairLostPlus(phone: PhoneNumber, context: ReadingContext): NumberReading {
  const suggestion = typed(phone.number, context.extension);
  if (!context.repairExcel) {
    return refuse(
      'missing_plus',
      `the + in front of the country code is missing`,
      e164Fix(suggestion),
      suggestion,
    );
  }
  const repair: NumberRepair = {
    kind: 'lost_plus',
    message: `The + lost in Excel was put back: ${phone.number}`,
  };
  return { ...factsOf(phone), repairs: [...context.repairs, repair], warnings: warningsOf(phone) };
}

function refuseNational(phone: PhoneNumber, context: ReadingContext): RefusedPhoneNumber {
  const suggestion = typed(phone.number, context.extension);
  const where = countryName(context.defaultCountry ?? phone.country ?? '');
  return refuse(
    'national_format',
    `it is a national number (${where}) without the country code`,
    e164Fix(suggestion),
    suggestion,
  );
}

function refuseAmbiguous(
  national: PhoneNumber,
  lostPlus: PhoneNumber,
  context: ReadingContext,
): RefusedPhoneNumber {
  const suggestion = typed(national.number, context.extension);
  const where = countryName(context.defaultCountry ?? '');
  return refuse(
    'ambiguous',
    `without a + it could be ${national.number} (a national number, ${where}) or ${lostPlus.number}`,
    `Enter it in E.164 format with the country code, e.g. ${suggestion} if it is a number in ${where}`,
    suggestion,
  );
}

function refuseUnreadable(
  digits: string,
  lostPlus: PhoneNumber | undefined,
  context: ReadingContext,
): RefusedPhoneNumber {
  const where = context.defaultCountry
    ? ` and is not a valid national number (${countryName(context.defaultCountry)})`
    : '';
  const possible = lostPlus !== undefined && lostPlus.isPossible() && e164Shape.test(lostPlus.number);
  const suggestion = possible ? typed(lostPlus.number, context.extension) : undefined;
  const hint = suggestion ? ` If you meant ${suggestion}, enter it with the +.` : '';
  return refuse(
    'missing_country_code',
    `${digits} has no country code${where}`,
    `${e164Fix()}.${hint}`,
    suggestion,
  );
}
