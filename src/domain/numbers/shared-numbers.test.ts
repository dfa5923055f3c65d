import { describe, expect, it } from 'vitest';
import { groupSharedNumbers, type SharedNumberUse } from './shared-numbers.js';

const use = (
  e164: string,
  accountId: string,
  email: string,
  extension: string | null = null,
): SharedNumberUse => ({
  e164,
  extension,
  accountId,
  accountName: accountId === 'a1' ? 'Contoso' : accountId === 'a2' ? 'Fabrikam' : 'Northwind',
  userId: `${accountId}-${email}`,
  displayName: email.split('@')[0] ?? email,
  email,
});

describe('groupSharedNumbers', () => {
  it('groups holders by E.164 number across accounts, whatever their extensions, sorted by number then account', () => {
    const report = groupSharedNumbers([
      use('+441235123465', 'a2', 'bo@fabrikam.example'),
      use('+441235123400', 'a1', 'anna@contoso.example', '201'),
      use('+441235123465', 'a1', 'cy@contoso.example'),
      use('+441235123400', 'a3', 'di@northwind.example', '305'),
    ]);
    expect(report.map((entry) => [entry.number, entry.accountCount])).toEqual([
      ['+441235123400', 2],
      ['+441235123465', 2],
    ]);
    expect(report[0]?.holders.map((holder) => [holder.accountName, holder.lineUri])).toEqual([
      ['Contoso', 'tel:+441235123400;ext=201'],
      ['Northwind', 'tel:+441235123400;ext=305'],
    ]);
    expect(report[1]?.holders.map((holder) => holder.email)).toEqual([
      'cy@contoso.example',
      'bo@fabrikam.example',
    ]);
  });

  it('leaves out a number held by several users of one account only (that is the tenant rule, not this report)', () => {
    expect(
      groupSharedNumbers([
        use('+441235123400', 'a1', 'anna@contoso.example', '201'),
        use('+441235123400', 'a1', 'cy@contoso.example', '202'),
      ]),
    ).toEqual([]);
  });
});
