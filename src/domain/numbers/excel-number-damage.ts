/**
 * What Excel does to telephone numbers, and undoing it when that can be done exactly.
 *
 * Excel reads `+441235123465` as the number 441235123465: the `+` is gone, and in a "General" column a number of
 * 12 or more digits is shown, and saved to CSV, in scientific notation with 6 significant digits (`4.41235E+11`).
 * The digits after the sixth are then lost: `4.41235E+11` could be any of 441235000000 ... 441235999999, so it is
 * refused rather than guessed. Only a mantissa that still carries every digit (`4.41235123465E+11`) is undone.
 */
import { INVALID_NUMBER_MESSAGE, refuse, type RefusedPhoneNumber } from './number-messages.js';

// Digit, decimal separator (`.` or the European `,`), fraction, exponent. Signs other than `+` are not numbers.
const scientificPattern = /^(-)?(\d)(?:[.,](\d+))?e\+?(-?\d{1,3})$/i;

/** The digits Excel's scientific notation stands for, or why they cannot be recovered. */
export type ScientificUndo = { ok: true; digits: string } | RefusedPhoneNumber;

/**
 * Is this cell text Excel's scientific notation (`4.41235E+11`, `4,41235E+11`, `4.41235e11`)?
 * @example looksScientific('4.41235E+11') // true
 */
export function looksScientific(text: string): boolean {
  return scientificPattern.test(text.trim());
}

/**
 * Undo Excel's scientific notation exactly, or refuse saying which digits were lost.
 * @example undoScientificNotation('4.41235123465E+11') // { ok: true, digits: '441235123465' }
 * @example undoScientificNotation('4.41235E+11').ok // false: 6 digits lost
 */
export function undoScientificNotation(text: string): ScientificUndo {
  const match = scientificPattern.exec(text.trim());
  if (!match) {
    return refuse('not_a_number', `"${text}" is not a number`, 'Enter the number with its country code.');
  }
  const [, minus, lead = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const shown = `${lead}${fraction}`;
  if (minus !== undefined || exponent < fraction.length) {
    return refuse(
      'not_an_integer',
      `"${text}" is not a whole number, so it cannot be a telephone number`,
      'Enter the number with its country code, e.g. +441235123465.',
    );
  }
  const missing = exponent + 1 - shown.length;
  if (missing > 0) {
    return refuse(
      'excel_rounded',
      `Excel has rounded it to ${shown.length} significant digits ("${text}" stands for ${shown}${'x'.repeat(missing)}), ` +
        `so its last ${missing} digit${missing === 1 ? ' is' : 's are'} lost`,
      'Type the number again with its + in a column formatted as Text in Excel (or take it from the original ' +
        'export), then import again. Numbers are never guessed.',
    );
  }
  return { ok: true, digits: shown };
}

/** Does a message come from a number refusal? Useful for asserting the wording in callers' tests. */
export function isNumberRefusalMessage(message: string): boolean {
  return message.startsWith(INVALID_NUMBER_MESSAGE);
}
