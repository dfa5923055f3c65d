/**
 * The two CSV templates of the field (PRODUCT.md "Numbers"), and telling which one a file uses from its header.
 * Header cells are matched without regard to case, spaces, underscores or dashes (`Caller ID`, `callerid`,
 * `sip_username` all match), because spreadsheets and people rewrite headers; unknown and missing columns are
 * refused by name, since a misspelt column would otherwise be silently ignored.
 */

/** Which template a file uses: PBX users or SIP trunk users. */
export type CsvTemplateName = 'pbx' | 'trunk';

/** Columns of the PBX template, in the field's order. */
export const pbxColumns = [
  'SIPUsername',
  'Name',
  'Email',
  'PhoneNumber',
  'AuthUsername',
  'Password',
  'ExternalId',
] as const;

/** Columns of the trunk template, in the field's order. */
export const trunkColumns = ['TrunkNumber', 'Name', 'Email', 'Caller ID', 'ExternalId'] as const;

/** Any column of either template, spelt as in the template. */
export type CsvColumn = (typeof pbxColumns)[number] | (typeof trunkColumns)[number];

/** Columns of a template, in order. */
export const templateColumns: Record<CsvTemplateName, readonly CsvColumn[]> = {
  pbx: pbxColumns,
  trunk: trunkColumns,
};

/** Names of the templates as administrators know them. */
export const templateLabels: Record<CsvTemplateName, string> = { pbx: 'PBX', trunk: 'trunk' };

/** The columns found in a header: template, and the position of each column. */
export interface CsvHeader {
  template: CsvTemplateName;
  positions: ReadonlyMap<CsvColumn, number>;
}

/** Why a header cannot be used, with the fix. */
export interface CsvHeaderProblem {
  message: string;
  fix: string;
}

/** A header's normalized form: lower case without spaces, underscores, dashes or dots. */
function normalizeHeaderCell(cell: string): string {
  return cell
    .replace(/^\ufeff/, '')
    .toLowerCase()
    .replace(/[\s_.-]/g, '');
}

const columnsByKey = new Map<string, CsvColumn>(
  [...pbxColumns, ...trunkColumns].map((column) => [normalizeHeaderCell(column), column]),
);
const pbxOnly = new Set<CsvColumn>(['SIPUsername', 'PhoneNumber', 'AuthUsername', 'Password']);
const trunkOnly = new Set<CsvColumn>(['TrunkNumber', 'Caller ID']);

function describeTemplate(template: CsvTemplateName): string {
  return `The ${templateLabels[template]} template's header is: ${templateColumns[template].join(',')}`;
}

/**
 * Tell the template from a header row and locate each column, or say what is wrong with the header.
 * @example readCsvHeader(['SIPUsername', 'Name', 'Email', 'PhoneNumber', 'AuthUsername', 'Password', 'ExternalId'])
 * // { template: 'pbx', positions: Map { 'SIPUsername' => 0, ... } }
 */
export function readCsvHeader(
  cells: readonly string[],
  expected?: CsvTemplateName,
): CsvHeader | CsvHeaderProblem {
  const positions = new Map<CsvColumn, number>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  cells.forEach((cell, index) => {
    const key = normalizeHeaderCell(cell);
    if (key === '') return;
    const column = columnsByKey.get(key);
    if (column === undefined) unknown.push(cell.trim());
    else if (positions.has(column)) repeated.push(column);
    else positions.set(column, index);
  });
  const template = pickTemplate(positions, expected);
  if ('message' in template) return template;
  return checkColumns(template.name, positions, unknown, repeated, expected);
}

function pickTemplate(
  positions: ReadonlyMap<CsvColumn, number>,
  expected: CsvTemplateName | undefined,
): { name: CsvTemplateName } | CsvHeaderProblem {
  const found = [...positions.keys()];
  const pbx = found.some((column) => pbxOnly.has(column));
  const trunk = found.some((column) => trunkOnly.has(column));
  if (pbx && trunk) {
    return {
      message: 'The header mixes columns of the PBX and the trunk templates',
      fix: `Use one template. ${describeTemplate('pbx')}. ${describeTemplate('trunk')}.`,
    };
  }
  if (!pbx && !trunk) {
    const name = expected ?? 'pbx';
    return {
      message: 'The first row is not a header of a known template',
      fix: `${describeTemplate(name)}. Put it in the first row.`,
    };
  }
  const name: CsvTemplateName = pbx ? 'pbx' : 'trunk';
  if (expected !== undefined && expected !== name) {
    return {
      message: `This file uses the ${templateLabels[name]} template, but this is a ${templateLabels[expected]} service`,
      fix: `${describeTemplate(expected)}.`,
    };
  }
  return { name };
}

function checkColumns(
  template: CsvTemplateName,
  positions: Map<CsvColumn, number>,
  unknown: readonly string[],
  repeated: readonly string[],
  expected: CsvTemplateName | undefined,
): CsvHeader | CsvHeaderProblem {
  const columns = templateColumns[template];
  const foreign = [...unknown, ...[...positions.keys()].filter((column) => !columns.includes(column))];
  const missing = columns.filter((column) => !positions.has(column));
  const problems: string[] = [];
  if (foreign.length > 0)
    problems.push(`unknown column${foreign.length === 1 ? '' : 's'} ${quoteAll(foreign)}`);
  if (missing.length > 0)
    problems.push(`missing column${missing.length === 1 ? '' : 's'} ${quoteAll(missing)}`);
  if (repeated.length > 0)
    problems.push(`column${repeated.length === 1 ? '' : 's'} ${quoteAll(repeated)} twice`);
  if (problems.length > 0) {
    return {
      message: `The header of this ${templateLabels[expected ?? template]} file has ${problems.join(', ')}`,
      fix: `${describeTemplate(template)} (cells may be left empty, columns may not be left out).`,
    };
  }
  return { template, positions };
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
