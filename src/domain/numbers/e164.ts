/**
 * Reading a telephone number as a customer administrator (or their spreadsheet) gives it, into the E.164 form Teams
 * needs. Numbering plans come from libphonenumber-js with its `max` metadata: `min` only checks lengths, so it could
 * neither tell a valid number from an unassigned one (`+44 7700 900123` is a drama number) nor give the line type.
 * The server loads the metadata once; its size does not matter here.
 */
import { isSupportedCountry, type CountryCode, type PhoneNumberType } from 'libphonenumber-js/max';
import { looksScientific, undoScientificNotation } from './excel-number-damage.js';
import { e164Fix, refuse, type RefusedPhoneNumber } from './number-messages.js';
import { numberTypeFor, type NumberServiceKind, type NumberType } from './number-type.js';
import {
  readDigitsOnly,
  readInternational,
  type NumberReading,
  type NumberRepair,
} from './number-readings.js';
import {
  cleanPhoneText,
  digitsOf,
  foreignCharacters,
  maxPhoneInputLength,
  severalNumbers,
  splitExtension,
} from './phone-text.js';

/** An E.164 number: `+`, country code, subscriber number; 7 to 15 digits in all. */
export const e164Pattern = /^\+[1-9]\d{6,14}$/;

export type { NumberRepair } from './number-readings.js';

/** A number that can be mapped to Teams. */
export interface ParsedPhoneNumber {
  ok: true;
  /** `+441235123465` */
  e164: string;
  /** Digits only (`201`), kept apart from the number. */
  extension?: string;
  /** The Teams line URI: `tel:+441235123465` or `tel:+441235123400;ext=201`. */
  lineUri: string;
  /** ISO 3166 country of the number, when the numbering plan tells it (`GB`); null for shared or unknown ranges. */
  country: string | null;
  /** `44` */
  countryCallingCode: string;
  /** Hint of the number's type on the service (see {@link numberTypeFor}). */
  numberType: NumberType;
  /** What the numbering plan says the line is (FIXED_LINE, MOBILE, TOLL_FREE ...), when it knows. */
  lineType: PhoneNumberType | null;
  /** What was changed in the input to read it (Excel damage, `00` prefix); empty when taken as given. */
  repairs: NumberRepair[];
  /** Doubts worth showing: e.g. an E.164 number that is not valid in its country's numbering plan. */
  warnings: string[];
}

/** The outcome of reading a number: usable, or refused with what is wrong and the fix. */
export type PhoneNumberInputResult = ParsedPhoneNumber | RefusedPhoneNumber;

export interface PhoneNumberInputOptions {
  /** Country to read national numbers in: the service location or the user's usage location (ISO 3166, `GB`). */
  defaultCountry?: string | null;
  /** Kind of service the number is for; gives the number type hint. */
  serviceKind?: NumberServiceKind;
  /**
   * Repair Excel damage (lost `+`, exact scientific notation) and report it, rather than refuse with a suggestion.
   * On for files; a form may turn it off to have the administrator confirm the corrected number. Default true.
   */
  repairExcelDamage?: boolean;
}

/**
 * Read a telephone number given by an administrator or a spreadsheet. Never throws.
 * @example parsePhoneNumberInput('+44 1235 123400 ext. 201').lineUri // 'tel:+441235123400;ext=201'
 * @example parsePhoneNumberInput('01235 123465', { defaultCountry: 'GB' }).suggestion // '+441235123465'
 */
export function parsePhoneNumberInput(
  input: string,
  options: PhoneNumberInputOptions = {},
): PhoneNumberInputResult {
  try {
    return parseOrRefuse(typeof input === 'string' ? input : String(input), options);
  } catch {
    // libphonenumber-js does not throw from the calls used here; this keeps the promise if a future version does.
    return refuse('not_a_number', 'it could not be read as a telephone number', e164Fix());
  }
}

function parseOrRefuse(input: string, options: PhoneNumberInputOptions): PhoneNumberInputResult {
  if (input.length > maxPhoneInputLength * 4) {
    return refuse('not_a_number', 'it is far too long to be a telephone number', e164Fix());
  }
  const text = cleanPhoneText(input);
  if (text === '') return refuse('empty', 'no number was entered', e164Fix());
  if (text.length > maxPhoneInputLength) {
    return refuse('not_a_number', 'it is too long to be a telephone number', e164Fix());
  }
  const split = splitExtension(text);
  if ('ok' in split) return split;
  const refusal = looksScientific(split.main)
    ? undefined
    : (severalNumbers(split.main) ?? foreignCharacters(split.main));
  if (refusal) return refusal;
  const reading = readNumber(split.main, split.extension, options);
  if (!reading.ok) return reading;
  return toParsed(reading, split.extension, options.serviceKind);
}

function readNumber(
  main: string,
  extension: string | undefined,
  options: PhoneNumberInputOptions,
): NumberReading {
  const defaultCountry = supportedCountry(options.defaultCountry);
  const repairExcel = options.repairExcelDamage ?? true;
  const context = { extension, defaultCountry, repairExcel };
  if (looksScientific(main)) {
    const undone = undoScientificNotation(main);
    if (!undone.ok) return undone;
    const repair: NumberRepair = {
      kind: 'scientific_notation',
      message: `Excel had written the number as ${main}; read back as ${undone.digits}`,
    };
    return readDigitsOnly(undone.digits, { ...context, repairs: [repair] });
  }
  const digits = digitsOf(main);
  if (main.startsWith('+')) return readInternational(digits, { ...context, repairs: [] });
  if (digits.startsWith('00')) {
    const repair: NumberRepair = {
      kind: 'international_prefix',
      message: 'The international prefix 00 was replaced by +',
    };
    const international = readInternational(digits.slice(2), { ...context, repairs: [repair] });
    if (defaultCountry === undefined || (international.ok && international.warnings.length === 0))
      return international;
    // Not a clean international reading: the default country may read it better (0011 in Australia).
    const otherwise = readDigitsOnly(digits, { ...context, repairs: [] });
    return otherwise.ok ? otherwise : international;
  }
  return readDigitsOnly(digits, { ...context, repairs: [] });
}

function toParsed(
  reading: NumberReading & { ok: true },
  extension: string | undefined,
  serviceKind?: NumberServiceKind,
): ParsedPhoneNumber {
  const parsed: ParsedPhoneNumber = {
    ok: true,
    e164: reading.e164,
    lineUri: formatLineUri(reading.e164, extension),
    country: reading.country,
    countryCallingCode: reading.countryCallingCode,
    numberType: numberTypeFor(serviceKind, extension),
    lineType: reading.lineType,
    repairs: reading.repairs,
    warnings: reading.warnings,
  };
  if (extension !== undefined) parsed.extension = extension;
  return parsed;
}

function supportedCountry(country: string | null | undefined): CountryCode | undefined {
  const code = country?.trim().toUpperCase();
  return code !== undefined && isSupportedCountry(code) ? code : undefined;
}

/**
 * The Teams line URI of a number and optional extension.
 * @example formatLineUri('+441235123400', '201') // 'tel:+441235123400;ext=201'
 */
export function formatLineUri(e164: string, extension?: string | null): string {
  return extension ? `tel:${e164};ext=${extension}` : `tel:${e164}`;
}

/**
 * The number as an administrator types it back: E.164 with `;ext=` when there is an extension.
 * @example formatNumberWithExtension('+441235123400', '201') // '+441235123400;ext=201'
 */
export function formatNumberWithExtension(e164: string, extension?: string | null): string {
  return extension ? `${e164};ext=${extension}` : e164;
}

/**
 * Is this exactly an E.164 string (no formatting)?
 * @example isE164('+441235123465') // true
 */
export function isE164(value: string): boolean {
  return e164Pattern.test(value);
}
