/**
 * Wording of number refusals. Every refusal starts with the text customer administrators already know from the
 * field ("The telephone number provided is not valid"), then says what is wrong and how to fix it.
 */

/** The exact text every refused number starts with (PRODUCT.md "Numbers"). */
export const INVALID_NUMBER_MESSAGE = 'The telephone number provided is not valid';

/** Why a number was refused; stable, for API clients and tests. */
export type NumberProblem =
  | 'empty'
  | 'not_a_number'
  | 'several_numbers'
  | 'invalid_extension'
  | 'national_format'
  | 'missing_country_code'
  | 'missing_plus'
  | 'ambiguous'
  | 'unknown_country_code'
  | 'too_short'
  | 'too_long'
  | 'invalid_length'
  | 'excel_rounded'
  | 'not_an_integer';

/** A number that cannot be used as it was given, with what is wrong and (when we can tell) the number to use. */
export interface RefusedPhoneNumber {
  ok: false;
  /** Starts with {@link INVALID_NUMBER_MESSAGE}, then what is wrong, then the fix. */
  message: string;
  problem: NumberProblem;
  /** The corrected number to offer, in the form the administrator can type (`+441235123465`, `+441235123400;ext=201`). */
  suggestion?: string;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * English name of an ISO 3166 country, falling back to the code.
 * @example countryName('GB') // 'United Kingdom'
 */
export function countryName(country: string): string {
  try {
    return regionNames.of(country) ?? country;
  } catch {
    return country;
  }
}

/**
 * Build a refusal: `The telephone number provided is not valid: <problem>. <fix>`.
 * @example refuse('empty', 'no number was entered', 'Enter it with its country code, e.g. +441235123465.')
 */
export function refuse(
  problem: NumberProblem,
  what: string,
  fix: string,
  suggestion?: string,
): RefusedPhoneNumber {
  const ending = fix.endsWith('.') ? '' : '.';
  const refusal: RefusedPhoneNumber = {
    ok: false,
    message: `${INVALID_NUMBER_MESSAGE}: ${what}. ${fix}${ending}`,
    problem,
  };
  if (suggestion !== undefined) refusal.suggestion = suggestion;
  return refusal;
}

/** The fix every E.164 refusal ends with, optionally offering the corrected number. */
export function e164Fix(suggestion?: string): string {
  if (suggestion !== undefined) return `Enter it in E.164 format with the country code: ${suggestion}`;
  return 'Enter it in E.164 format: a + then the country code and the number without its leading 0, e.g. +441235123465';
}

/**
 * Guidance when a user is asked to hold a second number (the service cannot give several DDIs to one user
 * without a PBX; Teams resource accounts can).
 * @example oneNumberGuidance('Jane Smith')
 */
export function oneNumberGuidance(holder: string): string {
  return (
    `A user can have only one number, and ${holder} already has one. To reach ${holder} on more numbers, ` +
    'create a Teams resource account for each extra number, set it to forward calls to the user, and sync: ' +
    'resource accounts can hold numbers.'
  );
}
