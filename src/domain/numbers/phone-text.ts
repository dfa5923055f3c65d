/**
 * Reading the text of a telephone number before any numbering plan is consulted: the characters people and
 * spreadsheets put around numbers (non-breaking spaces, typographic dashes, full-width digits, a leading apostrophe
 * that marks text in Excel, `tel:`), the extension written after the number, and the characters that have no
 * place in a number at all.
 */
import { refuse, type RefusedPhoneNumber } from './number-messages.js';

/** Longest text read as a number; anything longer is refused before any pattern runs over it. */
export const maxPhoneInputLength = 80;

/** Longest extension accepted (PBX extensions are short; Teams line URIs carry it as `;ext=`). */
export const maxExtensionDigits = 10;

/** A number's text split into the number and its extension. */
export interface PhoneText {
  /** The number part, with formatting characters still in it (`+44 (0)1235 123400`). */
  main: string;
  extension?: string;
}

// `;ext=201`, ` ext. 201`, ` extension 201`, ` x201`, `#201`, after at least one digit (or closing parenthesis).
const extensionPattern =
  /^(.*\d[\s)]*?)\s*(?:;\s*ext\s*=\s*|,?\s*(?:extension|ext\.?|x|#)\s*[:.]?\s*)(\d+)$/i;
const allowedCharacters = /^\+?[\d\s().\-/]*$/;
const severalNumbersPattern = /\d[\s().-]*(?:,|;|&|\/\s*\+|\band\b|\bor\b|\+)[\s(]*\+?\d/i;

/**
 * Normalize what spreadsheets and chat clients do to a number's text: Unicode compatibility forms (full-width
 * digits), exotic spaces and dashes, zero-width characters, surrounding quotes, Excel's leading apostrophe, `tel:`.
 * @example cleanPhoneText('\u2019+44\u00a01235\u2013123465') // '+44 1235-123465'
 */
export function cleanPhoneText(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]/g, ' ')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .trim()
    .replace(/^["'\u2018\u2019]+|["'\u2018\u2019]+$/g, '')
    .replace(/^tel:/i, '')
    .trim();
}

/**
 * Split the extension from the number, or refuse an extension that cannot be used.
 * @example splitExtension('+44 1235 123400 ext. 201') // { main: '+44 1235 123400', extension: '201' }
 */
export function splitExtension(text: string): PhoneText | RefusedPhoneNumber {
  const match = extensionPattern.exec(text);
  if (!match) return { main: text };
  const [, main = '', extension = ''] = match;
  if (extension.length > maxExtensionDigits) {
    return refuse(
      'invalid_extension',
      `the extension "${extension}" has more than ${maxExtensionDigits} digits`,
      'Write the extension after the number as ;ext=201 with the extension digits only.',
    );
  }
  return { main: main.trim(), extension };
}

/**
 * Refuse text that holds more than one number (`+441235123465, +441235123466`): a user has one number.
 * @example severalNumbers('+441235123465 / +441235123466') // a refusal with the resource-account guidance
 */
export function severalNumbers(text: string): RefusedPhoneNumber | undefined {
  const digitCount = text.replace(/\D/g, '').length;
  if (digitCount < 14 || !severalNumbersPattern.test(text)) return undefined;
  return refuse(
    'several_numbers',
    'it holds more than one number',
    'A user can have only one number: enter one. To reach a user on more numbers, create a Teams resource ' +
      'account for each extra number that forwards calls to the user.',
  );
}

/**
 * Refuse characters that are not part of a telephone number, naming them.
 * @example foreignCharacters('+44 1235 ABC') // refusal naming "A", "B", "C"
 */
export function foreignCharacters(text: string): RefusedPhoneNumber | undefined {
  if (allowedCharacters.test(text) && /\d/.test(text)) return undefined;
  const foreign = [...new Set(text.replace(/[\d\s().\-/]/g, '').replace(/^\+/, ''))].slice(0, 5);
  if (foreign.length === 0) {
    return refuse('not_a_number', `"${text}" has no digits`, 'Enter the number with its country code.');
  }
  const listed = foreign.map((character) => `"${character}"`).join(', ');
  return refuse(
    'not_a_number',
    `it contains ${listed}, which ${foreign.length === 1 ? 'is' : 'are'} not part of a telephone number`,
    'Use digits only, after a leading +; write an extension as ;ext=201 after the number.',
  );
}

/**
 * The digits of a number's text, without any formatting.
 * @example digitsOf('+44 (0)1235-123465') // '4401235123465'
 */
export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
