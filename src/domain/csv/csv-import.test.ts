import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INVALID_NUMBER_MESSAGE } from '../numbers/index.js';
import { readImportFile, type ImportFile } from './csv-import.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/csv/${name}`, import.meta.url));

/** The report as `row column severity` lines, to compare whole reports at a glance. */
function reportOf(file: ImportFile): string[] {
  return file.issues.map((issue) => `${issue.row} ${issue.column ?? '-'} ${issue.severity}`);
}

describe('readImportFile: files as Excel writes them', () => {
  it('reads "CSV UTF-8": BOM, CRLF, quoted commas, lost +, scientific notation, trailing empty rows', () => {
    const file = readImportFile(fixture('pbx-excel-utf8-bom.csv'), {
      serviceKind: 'pbx',
      defaultCountry: 'GB',
    });
    expect(file).toMatchObject({ template: 'pbx', encoding: 'utf-8', delimiter: ',', ok: false });
    expect(file.rows.map((row) => row.row)).toEqual([2, 3, 4, 5, 6]);
    expect(reportOf(file)).toEqual([
      '2 PhoneNumber fixed',
      '4 PhoneNumber error',
      '5 PhoneNumber fixed',
      '5 PhoneNumber fixed',
    ]);
    expect(file.issues[0]).toMatchObject({
      message: 'The + lost in Excel was put back: +441235123465.',
      fix: '+441235123465',
    });
    expect(file.issues[1]?.message).toMatch(new RegExp(`^${INVALID_NUMBER_MESSAGE}: Excel has rounded it`));
    expect(file.rows[0]).toMatchObject({
      email: 'jane.smith@contoso.com',
      number: { e164: '+441235123465' },
    });
    expect(file.rows[1]).toMatchObject({ name: 'Smith, Bob', number: { lineUri: 'tel:+441235123466' } });
    expect(file.rows[1]?.authUsername).toBeUndefined();
    expect(file.rows[2]?.number).toBeUndefined();
    expect(file.rows[3]).toMatchObject({ number: { e164: '+441235123468' } });
    expect(file.rows[4]).toMatchObject({
      number: {
        e164: '+441235123400',
        extension: '205',
        lineUri: 'tel:+441235123400;ext=205',
        numberType: 'extension',
      },
    });
  });

  it('reads European Excel: ; separator, decimal comma, stray spaces; offers E.164 for a national number', () => {
    const file = readImportFile(fixture('pbx-excel-semicolon.csv'), {
      serviceKind: 'pbx',
      defaultCountry: 'FR',
    });
    expect(file).toMatchObject({ template: 'pbx', delimiter: ';' });
    expect(file.rows[0]?.email).toBe('jean.dupont@contoso.fr');
    expect(file.issues[0]).toMatchObject({
      row: 2,
      column: 'PhoneNumber',
      severity: 'error',
      fix: '+33123456789',
    });
    expect(file.rows[1]?.number?.e164).toBe('+441235123469');
  });

  it("reads the user's usage location before the service location for national numbers", () => {
    const file = readImportFile(fixture('pbx-excel-semicolon.csv'), {
      serviceKind: 'pbx',
      defaultCountry: 'GB',
      countryOf: (email) => (email.endsWith('.fr') ? 'FR' : undefined),
    });
    expect(file.issues[0]?.fix).toBe('+33123456789');
  });

  it('reads "Unicode Text" (UTF-16LE, tab separated) in the trunk template', () => {
    const file = readImportFile(fixture('trunk-excel-utf16.txt'), {
      serviceKind: 'trunk',
      defaultCountry: 'GB',
    });
    expect(file).toMatchObject({ ok: true, template: 'trunk', encoding: 'utf-16le', delimiter: '\t' });
    expect(file.rows[0]).toMatchObject({
      number: { e164: '+441235123401', numberType: 'trunk' },
      callerId: '+441235123400',
    });
    expect(reportOf(file)).toEqual(['2 TrunkNumber fixed', '2 Caller ID fixed']);
  });

  it('reads Windows-1252 "CSV (Comma delimited)" with a header in another case and order, and says so', () => {
    const file = readImportFile(fixture('trunk-excel-cp1252.csv'), { serviceKind: 'trunk' });
    expect(file).toMatchObject({ ok: true, encoding: 'windows-1252' });
    expect(file.rows[0]).toMatchObject({ name: 'José Núñez', number: { e164: '+441235123403' } });
    expect(reportOf(file)).toEqual(['0 - warning']);
  });

  it('refuses unknown and missing columns, naming them', () => {
    const file = readImportFile(fixture('pbx-bad-header.csv'), { serviceKind: 'pbx' });
    expect(file).toMatchObject({ ok: false, template: null, rows: [] });
    expect(file.issues[0]?.message).toBe(
      'The header of this PBX file has unknown columns "E-mail address", "Phone", missing columns "Email", ' +
        '"PhoneNumber", "ExternalId"',
    );
    expect(file.issues[0]?.fix).toContain(
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
    );
  });

  it('reports duplicates, bad emails, a second number for a user, and a split cell', () => {
    const file = readImportFile(fixture('pbx-duplicates.csv'), { serviceKind: 'pbx', defaultCountry: 'GB' });
    expect(reportOf(file)).toEqual([
      '3 Email error',
      '3 SIPUsername error',
      '4 Email error',
      '4 PhoneNumber error',
      '5 - error',
      '5 Email error',
      '5 PhoneNumber error',
      '6 Email error',
    ]);
    expect(file.issues[0]?.fix).toContain('Teams resource account');
    expect(file.issues[3]?.message).toBe('+441235123465 is also on row 2; it can belong to one user only');
  });

  it('refuses a file of the other template, an empty file, and a header without rows', () => {
    const trunkFile = readImportFile(fixture('trunk-excel-utf16.txt'), { serviceKind: 'pbx' });
    expect(trunkFile.issues[0]?.message).toBe('This file uses the trunk template, but this is a PBX service');
    expect(readImportFile('', { serviceKind: 'pbx' }).issues[0]?.message).toBe('The file is empty');
    const headerOnly = readImportFile('TrunkNumber,Name,Email,Caller ID,ExternalId\r\n', {
      serviceKind: 'trunk',
    });
    expect(headerOnly).toMatchObject({ ok: false, issues: [{ row: 2, severity: 'error' }] });
  });

  it("honours Excel's sep= line and reports an unclosed quote with its row", () => {
    const sep = readImportFile(
      'sep=;\nTrunkNumber;Name;Email;Caller ID;ExternalId\n+441235123401;A, B;a@b.com;;\n',
      {
        serviceKind: 'trunk',
      },
    );
    expect(sep).toMatchObject({ ok: true, delimiter: ';', rows: [{ name: 'A, B' }] });
    const unclosed = readImportFile(
      'TrunkNumber,Name,Email,Caller ID,ExternalId\n+441235123401,"A,a@b.com,,\n',
      {
        serviceKind: 'trunk',
      },
    );
    expect(unclosed).toMatchObject({ ok: false, issues: [{ severity: 'error' }] });
    expect(unclosed.issues[0]?.message).toContain('never closed');
  });
});
