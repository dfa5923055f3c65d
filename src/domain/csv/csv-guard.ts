/**
 * The one formula guard of every CSV file Callbridge writes (users export, audit export), and its undoing on import.
 *
 * Excel (and LibreOffice, Google Sheets) runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and a
 * leading tab or carriage return can hide such a start ("CSV injection", OWASP). Names and emails come from
 * Microsoft 365 or from another customer's administrators, and `-1-1` is a valid SIP username: none of it is ours
 * to trust. Such a cell is written with a leading apostrophe, which OWASP recommends and which spreadsheet users
 * know as "this is text"; the value is shown, never run.
 *
 * Reversible, so an exported file re-imports to the same values: the apostrophe is added to every value that
 * starts with any number of apostrophes followed by a formula character, and the import takes exactly one off
 * such a cell. `=1` becomes `'=1` and back; a name that really is `'=1` becomes `''=1` and back; `'plain` (no
 * formula character after the apostrophes) is written and read as it is.
 *
 * The one exception is a column of E.164 numbers we wrote ourselves (`+441235123465`, `+441235123400;ext=201`):
 * Excel reads them as numbers or text, never runs anything, and the template means them plain. Only a cell of
 * exactly that shape in a column declared as a number column stays unguarded.
 */
import { stringify } from 'csv-stringify/sync';

const formulaStart = /^'*[=+\-@\t\r]/;
const guardedCell = /^'+[=+\-@\t\r]/;
const e164Cell = /^\+[1-9]\d{6,14}(?:;ext=\d{1,10})?$/;

/**
 * Guard one text cell.
 * @example guardCell('-1-1') // "'-1-1"
 * @example guardCell("'=x") // "''=x"
 */
export function guardCell(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

/**
 * Undo {@link guardCell} on a cell read from a file (after trimming).
 * @example unguardCell("'-1-1") // '-1-1'
 * @example unguardCell("'plain") // "'plain"
 */
export function unguardCell(cell: string): string {
  return guardedCell.test(cell) ? cell.slice(1) : cell;
}

export interface GuardedCsvOptions {
  /** `;` for Excel in locales whose decimal separator is a comma. Default `,`. */
  delimiter?: ',' | ';';
  /** UTF-8 byte order mark, so Excel reads names as UTF-8. Default false. */
  bom?: boolean;
  /** CRLF line ends, as Excel writes them. Default false (LF). */
  windowsLineEnds?: boolean;
  /** Positions of columns holding E.164 numbers, written plain when they are exactly E.164. */
  numberColumns?: readonly number[];
}

/**
 * Records as CSV text, every string cell guarded (csv-stringify does the quoting).
 * @example stringifyGuarded([['name'], ['=1+2']]) // "name\n'=1+2\n"
 */
export function stringifyGuarded(records: readonly unknown[][], options: GuardedCsvOptions = {}): string {
  const numberColumns = new Set(options.numberColumns ?? []);
  return stringify(records as unknown[][], {
    bom: options.bom ?? false,
    delimiter: options.delimiter ?? ',',
    record_delimiter: options.windowsLineEnds ? 'windows' : 'unix',
    cast: {
      string: (value, context) =>
        numberColumns.has(context.index) && e164Cell.test(value) ? value : guardCell(value),
    },
  });
}
