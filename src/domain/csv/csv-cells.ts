/**
 * Reading one cell of an import row: cleaning what spreadsheets add, checking its shape, and reporting what was
 * wrong or what was repaired. A blank cell means "leave as it is" (so an exported file, whose Password column is
 * empty, can be edited and imported again without wiping anything).
 */
import { parsePhoneNumberInput, type NumberServiceKind, type NumberType } from '../numbers/index.js';
import { sipPasswordProblem } from '../sip-password.js';
import { unguardCell } from './csv-guard.js';
import type { CsvColumn } from './csv-templates.js';

/** How serious a report line is: `fixed` means the value was repaired and the repair is shown. */
export type ImportSeverity = 'error' | 'warning' | 'fixed';

/** One line of the per-row report. Row numbers are Excel's: the header is row 1; row 0 is the file as a whole. */
export interface ImportIssue {
  row: number;
  column: CsvColumn | null;
  severity: ImportSeverity;
  message: string;
  /** What to do, or the corrected value to use. */
  fix?: string;
}

/** A number read from a cell. */
export interface ImportNumber {
  e164: string;
  extension?: string;
  lineUri: string;
  numberType: NumberType;
}

const emailPattern = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:.]{2,}$/;
// RFC 3261 user part, unescaped: unreserved and user-unreserved characters.
const sipUserPattern = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]{1,64}$/;
const maxTextLength = 256;

/** Collects report lines for one row. */
export class RowReport {
  readonly issues: ImportIssue[] = [];
  constructor(readonly row: number) {}

  add(column: CsvColumn | null, severity: ImportSeverity, message: string, fix?: string): void {
    const issue: ImportIssue = { row: this.row, column, severity, message };
    if (fix !== undefined) issue.fix = fix;
    this.issues.push(issue);
  }

  get hasErrors(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }
}

/**
 * Clean a cell: trim, and drop the apostrophe our export puts before text that Excel would take for a formula
 * (see csv-guard.ts).
 * @example cleanCell("  '=Jane ") // '=Jane'
 */
export function cleanCell(value: string | undefined): string {
  return unguardCell((value ?? '').replace(/[\u00a0\u200b\ufeff]/g, ' ').trim());
}

/**
 * The email of a row, lower-cased, or undefined (reported) when it is missing or malformed.
 * @example readEmail('Jane@Contoso.com', report) // 'jane@contoso.com'
 */
export function readEmail(cell: string, report: RowReport): string | undefined {
  const email = cell.replace(/^mailto:/i, '').toLowerCase();
  if (email === '') {
    report.add(
      'Email',
      'error',
      'Email is empty; it identifies the Teams user',
      'Enter the email of the Microsoft 365 user.',
    );
    return undefined;
  }
  if (!emailPattern.test(email)) {
    report.add(
      'Email',
      'error',
      `"${cell}" is not an email address`,
      'Enter an address such as jane@contoso.com.',
    );
    return undefined;
  }
  return email;
}

/**
 * A SIP username or auth username: the characters SIP allows in a user part, at most 64.
 * @example readSipUser('201', 'SIPUsername', report) // '201'
 */
export function readSipUser(cell: string, column: CsvColumn, report: RowReport): string | undefined {
  if (cell === '') return undefined;
  if (!sipUserPattern.test(cell)) {
    report.add(
      column,
      'error',
      `"${cell}" cannot be used as a SIP user name`,
      "Use at most 64 letters, digits and - _ . ! ~ * ' ( ) & = + $ , ; ? / (no spaces, no @domain).",
    );
    return undefined;
  }
  return cell;
}

/**
 * A SIP password: taken as given (not trimmed inside), the one rule of sip-password.ts (as the API). Never echoed.
 * @example readPassword('s3cret!', report) // 's3cret!'
 */
export function readPassword(raw: string | undefined, report: RowReport): string | undefined {
  const password = (raw ?? '').replace(/^\s+|\s+$/g, '');
  if (password === '') return undefined;
  const problem = sipPasswordProblem(password);
  if (problem !== undefined) {
    report.add(
      'Password',
      'error',
      `The password ${problem}`,
      'Set a password of printable characters, as configured on the PBX.',
    );
    return undefined;
  }
  return password;
}

/**
 * Free text (Name, ExternalId), at most 256 characters.
 * @example readText('Jane Smith', 'Name', report) // 'Jane Smith'
 */
export function readText(cell: string, column: CsvColumn, report: RowReport): string | undefined {
  if (cell === '') return undefined;
  if (cell.length > maxTextLength) {
    report.add(column, 'error', `${column} is longer than ${maxTextLength} characters`, 'Shorten it.');
    return undefined;
  }
  return cell;
}

/** How to read the numbers of a row. */
export interface NumberCellOptions {
  defaultCountry: string | null | undefined;
  serviceKind: NumberServiceKind;
  /** Extensions are refused in this column (trunk numbers, caller IDs). */
  noExtension: boolean;
}

/**
 * A number cell: Excel damage repaired and reported as `fixed`, doubts as warnings, refusals as errors with the
 * corrected number as the fix when there is one.
 * @example readNumberCell('441235123465', 'PhoneNumber', { defaultCountry: 'GB', ... }, report) // fixed: lost +
 */
export function readNumberCell(
  cell: string,
  column: CsvColumn,
  options: NumberCellOptions,
  report: RowReport,
): ImportNumber | undefined {
  if (cell === '') return undefined;
  const parsed = parsePhoneNumberInput(cell, {
    defaultCountry: options.defaultCountry,
    serviceKind: options.serviceKind,
  });
  if (!parsed.ok) {
    report.add(column, 'error', parsed.message, parsed.suggestion);
    return undefined;
  }
  for (const repair of parsed.repairs) report.add(column, 'fixed', `${repair.message}.`, parsed.e164);
  for (const warning of parsed.warnings) report.add(column, 'warning', warning);
  if (options.noExtension && parsed.extension !== undefined) {
    report.add(
      column,
      'error',
      `${cell} has an extension; a SIP trunk has no PBX to route extensions`,
      'Give the user a number of their own from one of the trunk ranges, without an extension.',
    );
    return undefined;
  }
  const number: ImportNumber = { e164: parsed.e164, lineUri: parsed.lineUri, numberType: parsed.numberType };
  if (parsed.extension !== undefined) number.extension = parsed.extension;
  return number;
}
