/**
 * Reading a bulk-import CSV into normalized rows and a per-row report, without the database: encoding, separator,
 * template, each cell, and duplicates within the file. What needs the store (does the email match a synced Teams
 * user, is the number free in the tenant) is judged afterwards by `planImport`.
 */
import type { NumberServiceKind } from '../numbers/index.js';
import {
  RowReport,
  cleanCell,
  readEmail,
  readNumberCell,
  readPassword,
  readSipUser,
  readText,
  type ImportIssue,
  type ImportNumber,
} from './csv-cells.js';
import {
  readCsvHeader,
  templateLabels,
  type CsvColumn,
  type CsvHeader,
  type CsvTemplateName,
} from './csv-templates.js';
import { decodeCsv, splitCsv, type CsvDelimiter, type CsvEncoding } from './csv-text.js';

/**
 * One row of the file, normalized. A field left undefined was blank in the file: it leaves the user's current value
 * as it is. `password` is write-only: never show or log a row as it is.
 */
export interface ImportRow {
  /** Excel row number (the header is row 1). */
  row: number;
  email?: string;
  name?: string;
  sipUsername?: string;
  authUsername?: string;
  password?: string;
  /** PhoneNumber (PBX) or TrunkNumber (trunk). */
  number?: ImportNumber;
  callerId?: string;
  externalId?: string;
}

/** A file read: its template, rows, and every report line (file-level ones on row 0 or 1). */
export interface ImportFile {
  template: CsvTemplateName | null;
  encoding: CsvEncoding | null;
  delimiter: CsvDelimiter | null;
  rows: ImportRow[];
  issues: ImportIssue[];
  /** True when no report line is an error. */
  ok: boolean;
}

export interface ReadImportOptions {
  /** The service's kind: picks the template the file must use. */
  serviceKind: NumberServiceKind;
  /** Country to read national numbers in: the service location. */
  defaultCountry?: string | null;
  /** The user's usage location (Microsoft 365), by lower-cased email, when known; else `defaultCountry`. */
  countryOf?: (email: string) => string | null | undefined;
}

/**
 * Read an import file as Excel saved it.
 * @example readImportFile(buffer, { serviceKind: 'pbx', defaultCountry: 'GB' }) // { ok, template: 'pbx', rows, issues }
 */
export function readImportFile(input: string | Uint8Array, options: ReadImportOptions): ImportFile {
  const decoded = decodeCsv(input);
  const fileIssues: ImportIssue[] = decoded.notes.map((message) => ({
    row: 0,
    column: null,
    severity: 'warning',
    message,
  }));
  const split = splitCsv(decoded.text);
  const empty = { template: null, encoding: decoded.encoding, delimiter: null, rows: [] };
  if (!split.ok) {
    const issue: ImportIssue = {
      row: split.row,
      column: null,
      severity: 'error',
      message: split.message,
      fix: split.fix,
    };
    return { ...empty, issues: [...fileIssues, issue], ok: false };
  }
  const headerIndex = split.rows.findIndex((cells) => !isBlank(cells));
  const headerCells = split.rows[headerIndex];
  if (headerCells === undefined) {
    const message = 'The file is empty';
    return {
      ...empty,
      issues: [...fileIssues, { row: 0, column: null, severity: 'error', message }],
      ok: false,
    };
  }
  const header = readCsvHeader(headerCells, options.serviceKind);
  if ('message' in header) {
    const issue: ImportIssue = { row: headerIndex + 1, column: null, severity: 'error', ...header };
    return { ...empty, delimiter: split.delimiter, issues: [...fileIssues, issue], ok: false };
  }
  const { rows, issues } = readRows(split.rows, headerIndex, header, options);
  if (rows.length === 0) {
    const message = `The file has a ${templateLabels[header.template]} header but no rows`;
    issues.push({ row: headerIndex + 2, column: null, severity: 'error', message });
  }
  const allIssues = [...fileIssues, ...issues];
  const ok = !allIssues.some((issue) => issue.severity === 'error');
  return {
    template: header.template,
    encoding: decoded.encoding,
    delimiter: split.delimiter,
    rows,
    issues: allIssues,
    ok,
  };
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

function readRows(
  records: readonly string[][],
  headerIndex: number,
  header: CsvHeader,
  options: ReadImportOptions,
): { rows: ImportRow[]; issues: ImportIssue[] } {
  const rows: ImportRow[] = [];
  const issues: ImportIssue[] = [];
  const duplicates = new DuplicateFinder(header.template === 'pbx' ? 'PhoneNumber' : 'TrunkNumber');
  // Excel writes every row as wide as the header; a wider row has a cell split at an unquoted separator.
  const width = records[headerIndex]?.length ?? 0;
  for (let index = headerIndex + 1; index < records.length; index += 1) {
    const cells = records[index] ?? [];
    if (isBlank(cells)) continue;
    const report = new RowReport(index + 1);
    if (cells.length > width) {
      report.add(
        null,
        'error',
        `This row has ${cells.length} cells but the header has ${width} columns`,
        'A cell probably holds the separator without quotes: save the file from Excel, which quotes such cells.',
      );
    }
    reportNulCharacters(cells, header, report);
    const row = readRow(cells, header, options, report);
    duplicates.check(row, report);
    rows.push(row);
    issues.push(...report.issues);
  }
  return { rows, issues };
}

/**
 * A NUL character in a cell (no spreadsheet writes one; a broken export or a hostile file does) is an error of its
 * cell: PostgreSQL cannot store it, and the row would otherwise fail the whole import when applied.
 */
function reportNulCharacters(cells: readonly string[], header: CsvHeader, report: RowReport): void {
  for (const [column, position] of header.positions) {
    if (cells[position]?.includes('\u0000'))
      report.add(
        column,
        'error',
        `${column} holds a NUL character`,
        'Remove it, or save the file again from Excel.',
      );
  }
}

function readRow(
  cells: readonly string[],
  header: CsvHeader,
  options: ReadImportOptions,
  report: RowReport,
): ImportRow {
  const cell = (column: CsvColumn): string => {
    const position = header.positions.get(column);
    return position === undefined ? '' : cleanCell(cells[position]);
  };
  const row: ImportRow = { row: report.row };
  const email = readEmail(cell('Email'), report);
  const country = (email !== undefined ? options.countryOf?.(email) : undefined) ?? options.defaultCountry;
  const numberOptions = { defaultCountry: country, serviceKind: options.serviceKind };
  assign(row, 'email', email);
  assign(row, 'name', readText(cell('Name'), 'Name', report));
  assign(row, 'externalId', readText(cell('ExternalId'), 'ExternalId', report));
  if (header.template === 'pbx') {
    assign(row, 'sipUsername', readSipUser(cell('SIPUsername'), 'SIPUsername', report));
    assign(row, 'authUsername', readSipUser(cell('AuthUsername'), 'AuthUsername', report));
    const position = header.positions.get('Password');
    assign(row, 'password', readPassword(position === undefined ? '' : cells[position], report));
    const number = readNumberCell(
      cell('PhoneNumber'),
      'PhoneNumber',
      { ...numberOptions, noExtension: false },
      report,
    );
    assign(row, 'number', number);
  } else {
    const trunkOptions = { ...numberOptions, noExtension: true };
    assign(row, 'number', readNumberCell(cell('TrunkNumber'), 'TrunkNumber', trunkOptions, report));
    assign(row, 'callerId', readNumberCell(cell('Caller ID'), 'Caller ID', trunkOptions, report)?.e164);
  }
  return row;
}

function assign<K extends keyof ImportRow>(row: ImportRow, key: K, value: ImportRow[K] | undefined): void {
  if (value !== undefined) row[key] = value;
}

/** Flags a value seen on an earlier row: email, SIP username, number. Caller IDs may repeat (shared). */
class DuplicateFinder {
  private readonly emails = new Map<string, ImportRow>();
  private readonly sipUsernames = new Map<string, number>();
  private readonly numbers = new Map<string, number>();

  constructor(private readonly numberColumn: CsvColumn) {}

  check(row: ImportRow, report: RowReport): void {
    if (row.email !== undefined) this.checkEmail(row, report);
    if (row.sipUsername !== undefined) {
      this.checkValue(
        this.sipUsernames,
        row.sipUsername.toLowerCase(),
        'SIPUsername',
        row.sipUsername,
        report,
      );
    }
    const number = row.number;
    if (number !== undefined) {
      this.checkValue(
        this.numbers,
        number.lineUri,
        this.numberColumn,
        number.lineUri.slice('tel:'.length),
        report,
      );
    }
  }

  private checkEmail(row: ImportRow, report: RowReport): void {
    const email = row.email ?? '';
    const first = this.emails.get(email);
    if (first === undefined) {
      this.emails.set(email, row);
      return;
    }
    const twoNumbers =
      first.number !== undefined && row.number !== undefined && first.number.lineUri !== row.number.lineUri;
    const fix = twoNumbers
      ? 'A user can have only one number. To reach the user on more numbers, create a Teams resource account for ' +
        'each extra number that forwards calls to the user.'
      : 'Keep one row per user.';
    report.add(
      'Email',
      'error',
      `${email} is also on row ${first.row}; each user can appear once in a file`,
      fix,
    );
  }

  private checkValue(
    seen: Map<string, number>,
    key: string,
    column: CsvColumn,
    shown: string,
    report: RowReport,
  ): void {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, report.row);
    else
      report.add(
        column,
        'error',
        `${shown} is also on row ${first}; it can belong to one user only`,
        'Use it once.',
      );
  }
}
