/**
 * Turning a CSV file, as Excel saved it, into rows of cells: the encoding (UTF-8 with or without BOM, UTF-16 with
 * BOM from "Unicode Text", Windows-1252 from "CSV (Comma delimited)" on Western Windows), Excel's `sep=` line, and
 * the separator (`;` where the decimal separator is a comma, tab in "Unicode Text"). Cells are split by csv-parse.
 *
 * The separator is read from the header line rather than with csv-parse's `delimiter_auto`: we know the header is
 * made of template column names, so counting separators outside quotes there is exact, where a scoring heuristic
 * over the data (which also weighs spaces and dots) can be swayed by names and `4.41235E+11`.
 */
import { parse, CsvError } from 'csv-parse/sync';

/** The encodings a file is read in. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Separators a file may use. */
export type CsvDelimiter = ',' | ';' | '\t';

/** A file's text with how it was read. */
export interface DecodedCsv {
  text: string;
  encoding: CsvEncoding;
  /** Notes about the encoding worth showing (a guessed encoding). */
  notes: string[];
}

/** A file split into rows of cells. `rows[0]` is the file's first row (Excel row 1). */
export type SplitCsv =
  | { ok: true; rows: string[][]; delimiter: CsvDelimiter }
  | { ok: false; row: number; message: string; fix: string };

/**
 * Decode a file's bytes (or take a string) into text, honouring a BOM and falling back to Windows-1252 when the
 * bytes are not UTF-8.
 * @example decodeCsv(Buffer.from('\ufeffEmail\r\n')).encoding // 'utf-8'
 */
export function decodeCsv(input: string | Uint8Array): DecodedCsv {
  if (typeof input === 'string') return { text: input.replace(/^\ufeff/, ''), encoding: 'utf-8', notes: [] };
  const [first, second, third] = input;
  if (first === 0xef && second === 0xbb && third === 0xbf) return decodeWith(input.subarray(3), 'utf-8');
  if (first === 0xff && second === 0xfe) return decodeWith(input.subarray(2), 'utf-16le');
  if (first === 0xfe && second === 0xff) return decodeWith(input.subarray(2), 'utf-16be');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(input), encoding: 'utf-8', notes: [] };
  } catch {
    const decoded = decodeWith(input, 'windows-1252');
    decoded.notes.push(
      'The file is not UTF-8; it was read as Windows-1252 (Western European), as Excel saves "CSV (Comma delimited)". ' +
        'If names look wrong, save it from Excel as "CSV UTF-8 (Comma delimited)" and import it again.',
    );
    return decoded;
  }
}

function decodeWith(bytes: Uint8Array, encoding: CsvEncoding): DecodedCsv {
  return { text: new TextDecoder(encoding).decode(bytes).replace(/^\ufeff/, ''), encoding, notes: [] };
}

/**
 * The separator of a header line: the most frequent of `,` `;` and tab outside quotes (comma on a tie).
 * @example detectDelimiter('SIPUsername;Name;Email') // ';'
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const character of headerLine) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && (character === ',' || character === ';' || character === '\t'))
      counts[character] += 1;
  }
  const best = (Object.keys(counts) as CsvDelimiter[]).reduce((a, b) => (counts[b] > counts[a] ? b : a));
  return counts[best] === 0 ? ',' : best;
}

/**
 * Limits that keep a hostile or broken file cheap to refuse: the template header is under 100 characters and 7
 * columns, a row a few hundred characters. A 17 MB header line used to be parsed, matched and echoed in full.
 */
export const MAX_HEADER_CHARACTERS = 4096;
export const MAX_COLUMNS = 32;
export const MAX_ROW_CHARACTERS = 64 * 1024;

/**
 * Split a file's text into rows of cells with csv-parse. Every row is kept (empty ones too) so that positions
 * match Excel's row numbers; a row that cannot be read is reported with its row number.
 * @example splitCsv('Email,Name\r\njane@contoso.com,Jane\r\n') // { ok: true, rows: [[...], [...]], delimiter: ',' }
 */
export function splitCsv(text: string): SplitCsv {
  // Excel honours (and hides) a first line `sep=;` naming the separator.
  const sepLine = /^sep=(.)\r?\n/i.exec(text);
  const body = sepLine ? text.slice(sepLine[0].length) : text;
  const headerEnd = body.slice(0, MAX_HEADER_CHARACTERS + 2).search(/\r?\n/);
  if (headerEnd === -1 && body.length > MAX_HEADER_CHARACTERS) {
    return {
      ok: false,
      row: 1,
      message: `The first row is longer than ${MAX_HEADER_CHARACTERS} characters; it should be the template's header`,
      fix: 'Start the file with the template header, e.g. SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId.',
    };
  }
  const headerLine = headerEnd === -1 ? body : body.slice(0, headerEnd);
  const named = sepLine?.[1];
  const delimiter = named === ';' || named === ',' || named === '\t' ? named : detectDelimiter(headerLine);
  try {
    const rows = parse(body, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      bom: true,
      max_record_size: MAX_ROW_CHARACTERS,
    });
    const widest = rows.reduce((most, cells) => Math.max(most, cells.length), 0);
    if (widest > MAX_COLUMNS) {
      const row = rows.findIndex((cells) => cells.length > MAX_COLUMNS) + 1;
      return {
        ok: false,
        row,
        message: `Row ${row} has ${widest} cells; an import file has at most ${MAX_COLUMNS} columns`,
        fix: 'Keep only the template columns, and quote cells that hold the separator.',
      };
    }
    return { ok: true, rows, delimiter };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return { ok: false, ...describeCsvError(error) };
  }
}

function describeCsvError(error: CsvError): { row: number; message: string; fix: string } {
  const detail = error as CsvError & { lines?: number };
  const row = typeof detail.lines === 'number' ? detail.lines : 0;
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return {
      row,
      message: `Row ${row} is longer than ${MAX_ROW_CHARACTERS} characters; a row of the template is far shorter`,
      fix: 'Check for a cell opened with a double quote (") that is never closed, or split the row.',
    };
  }
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return {
      row,
      message: 'A cell opened with a double quote (") is never closed: the file ends inside it',
      fix: 'Close the quote, or save the file again from Excel, which quotes cells correctly.',
    };
  }
  return {
    row,
    message: `The file could not be read as CSV at row ${row}: ${error.message}`,
    fix: 'Save the file again from Excel as "CSV UTF-8 (Comma delimited)" and import it again.',
  };
}
