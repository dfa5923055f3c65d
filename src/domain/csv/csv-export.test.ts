import { describe, expect, it } from 'vitest';
import { readImportFile } from './csv-import.js';
import { toCsv, type ExportUser } from './csv-export.js';
import { guardCell, stringifyGuarded, unguardCell } from './csv-guard.js';

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

  it('guards text Excel would run as a formula, reversibly', () => {
    expect(guardCell('=HYPERLINK("http://evil")')).toBe('\'=HYPERLINK("http://evil")');
    expect(guardCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(guardCell('-1-1')).toBe("'-1-1");
    expect(guardCell('\t=1')).toBe("'\t=1");
    expect(guardCell('Jane')).toBe('Jane');
    for (const value of ['=1', "'=1", "''@x", "'plain", 'plain', '-', "'"])
      expect(unguardCell(guardCell(value))).toBe(value);
  });

  it('keeps exact E.164 numbers plain in number columns only', () => {
    const csv = stringifyGuarded(
      [
        ['+441235123466', '+441235123466', '+1+1'],
        ['+441235123400;ext=2', '-1', '-1'],
      ],
      { numberColumns: [0, 2] },
    );
    expect(csv).toBe("+441235123466,'+441235123466,'+1+1\n+441235123400;ext=2,'-1,'-1\n");
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
