/**
 * Export of a service's users in its CSV template, with csv-stringify, ready to edit in Excel and import again.
 *
 * Passwords are never exported: the Password column is there (so the file matches the template) and always empty;
 * on import an empty cell leaves the password as it is.
 *
 * Numbers are written as plain E.164 (`+441235123465`, `+441235123400;ext=201`): that is what the template means,
 * and what every other tool reads. Excel, opening such a file, takes `+441235123465` for the number 441235123465
 * and shows it as `4.41235E+11`; saved again, the `+` is gone (which the import repairs) and, in a "General" column,
 * the digits after the sixth are lost (which the import refuses, naming the row). The usual trick, `="+44..."`,
 * keeps Excel's hands off but is not CSV: any other tool, and our own import, would read the formula text. So the
 * choice is the standard form plus the advice: open the file with Data > From Text/CSV and set the number columns
 * to Text, or format the columns as Text before pasting numbers in.
 *
 * Cells that Excel would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe, the number
 * columns excepted when they hold exactly E.164: see csv-guard.ts, the one guard of every CSV export. The import
 * removes that apostrophe again, so an exported file re-imports to the same values.
 */
import { stringifyGuarded } from './csv-guard.js';
import { formatNumberWithExtension } from '../numbers/index.js';
import { templateColumns, type CsvColumn, type CsvTemplateName } from './csv-templates.js';

/** A user as exported; the store's `User` record fits. There is deliberately no password here. */
export interface ExportUser {
  email: string;
  displayName: string;
  sipUsername?: string | null;
  authUsername?: string | null;
  phoneNumber?: string | null;
  extension?: string | null;
  callerId?: string | null;
  externalId?: string | null;
}

export interface ExportOptions {
  /** `;` for Excel in locales whose decimal separator is a comma. Default `,`. */
  delimiter?: ',' | ';';
  /** UTF-8 byte order mark, so Excel reads names as UTF-8. Default true. */
  bom?: boolean;
}

/** Columns holding E.164 numbers we wrote: left plain by the formula guard when they are exactly E.164. */
const numberColumns = new Set<CsvColumn>(['PhoneNumber', 'TrunkNumber', 'Caller ID']);

function cellsOf(template: CsvTemplateName, user: ExportUser): Record<CsvColumn, string> {
  const text = (value: string | null | undefined): string => value ?? '';
  const number = user.phoneNumber ? formatNumberWithExtension(user.phoneNumber, user.extension) : '';
  const common = { Name: text(user.displayName), Email: text(user.email), ExternalId: text(user.externalId) };
  if (template === 'trunk') {
    return { ...common, TrunkNumber: user.phoneNumber ?? '', 'Caller ID': user.callerId ?? '' } as Record<
      CsvColumn,
      string
    >;
  }
  return {
    ...common,
    SIPUsername: text(user.sipUsername),
    PhoneNumber: number,
    AuthUsername: text(user.authUsername),
    Password: '',
  } as Record<CsvColumn, string>;
}

/**
 * The users of a service as a CSV file in its template (CRLF line ends, as Excel writes them).
 * @example toCsv('pbx', users) // '\ufeffSIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId\r\n201,...'
 */
export function toCsv(
  template: CsvTemplateName,
  users: Iterable<ExportUser>,
  options: ExportOptions = {},
): string {
  const columns = templateColumns[template];
  const records = [...users].map((user) => {
    const cells = cellsOf(template, user);
    return columns.map((column) => cells[column]);
  });
  return stringifyGuarded([[...columns], ...records], {
    bom: options.bom ?? true,
    delimiter: options.delimiter ?? ',',
    windowsLineEnds: true,
    numberColumns: columns.flatMap((column, index) => (numberColumns.has(column) ? [index] : [])),
  });
}
