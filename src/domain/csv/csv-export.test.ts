import { describe, expect, it } from 'vitest';
import { readImportFile } from './csv-import.js';
import { escapeFormula, toCsv, type ExportUser } from './csv-export.js';

const users: ExportUser[] = [
  {
    email: 'jane@contoso.com',
    displayName: 'Smith, Jane',
    sipUsername: '201',
    authUsername: '201',
    phoneNumber: '+441235123465',
    externalId: 'E-1',
  },
  {
    email: 'bob@contoso.com',
    displayName: '=HYPERLINK("http://evil")',
    sipUsername: '+441235123466',
    phoneNumber: '+441235123400',
    extension: '202',
  },
];

describe('toCsv', () => {
  it('writes the PBX template with a BOM and CRLF, numbers as E.164, and never a password', () => {
    const withPassword = users.map((user) => ({ ...user, password: 'never-me' }));
    const csv = toCsv('pbx', withPassword);
    expect(
      csv.startsWith('\ufeffSIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId\r\n'),
    ).toBe(true);
    expect(csv).toContain('201,"Smith, Jane",jane@contoso.com,+441235123465,201,,E-1\r\n');
    expect(csv).toContain('+441235123400;ext=202');
    expect(csv).not.toContain('never-me');
  });

  it('guards text Excel would run as a formula, but not plain numbers', () => {
    expect(escapeFormula('=HYPERLINK("http://evil")')).toBe('\'=HYPERLINK("http://evil")');
    expect(escapeFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(escapeFormula('+441235123466')).toBe('+441235123466');
    expect(escapeFormula('Jane')).toBe('Jane');
  });

  it('reads back what it writes, in both templates and with ;', () => {
    const pbx = readImportFile(toCsv('pbx', users, { delimiter: ';' }), { serviceKind: 'pbx' });
    expect(pbx.ok).toBe(true);
    expect(pbx.rows).toEqual([
      {
        row: 2,
        email: 'jane@contoso.com',
        name: 'Smith, Jane',
        externalId: 'E-1',
        sipUsername: '201',
        authUsername: '201',
        number: { e164: '+441235123465', lineUri: 'tel:+441235123465', numberType: 'ddi' },
      },
      {
        row: 3,
        email: 'bob@contoso.com',
        name: '=HYPERLINK("http://evil")',
        sipUsername: '+441235123466',
        number: {
          e164: '+441235123400',
          extension: '202',
          lineUri: 'tel:+441235123400;ext=202',
          numberType: 'extension',
        },
      },
    ]);
    const trunk = readImportFile(toCsv('trunk', [{ ...users[0]!, callerId: '+441235123400' }]), {
      serviceKind: 'trunk',
    });
    expect(trunk.rows[0]).toMatchObject({ number: { e164: '+441235123465' }, callerId: '+441235123400' });
  });
});
