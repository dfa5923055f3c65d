import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  checkNumberForService,
  checkNumberUnique,
  checkOneNumberPerUser,
  findNumbersSharedByCustomers,
  indexHolders,
  type NumberHolder,
} from './number-assignment.js';
import { assertAllowed } from './number-check.js';

const jane: NumberHolder = {
  id: 'u1',
  kind: 'user',
  displayName: 'Jane Smith',
  email: 'jane@contoso.com',
  e164: '+441235123465',
};
const reception: NumberHolder = {
  id: 'r1',
  kind: 'resource_account',
  displayName: 'Reception',
  email: 'reception@contoso.com',
  e164: '+441235123400',
};
const holders = indexHolders([
  jane,
  reception,
  { ...jane, id: 'u2', displayName: 'Bob', e164: '+441235123400', extension: '201' },
]);

describe('checkNumberUnique', () => {
  it('refuses a number held by someone else, naming the holder', () => {
    const check = checkNumberUnique({ e164: '+441235123465' }, holders, 'u9');
    expect(check).toMatchObject({ ok: false, code: 'conflict', details: { holderId: 'u1' } });
    expect(check.ok ? '' : check.message).toBe(
      '+441235123465 is already assigned to Jane Smith (jane@contoso.com). A number belongs to one user or resource ' +
        'account in a tenant: remove it from Jane Smith first, or choose another number.',
    );
  });

  it('names a resource account as such, and accepts a lookup function', () => {
    const check = checkNumberUnique({ e164: '+441235123400' }, (key) => holders.get(key), 'u9');
    expect(check.ok ? '' : check.message).toContain('the resource account Reception (reception@contoso.com)');
  });

  it('lets the holder keep its number and extensions of the main number go to different users', () => {
    expect(checkNumberUnique({ e164: '+441235123465' }, holders, 'u1')).toEqual({ ok: true });
    expect(checkNumberUnique({ e164: '+441235123400', extension: '202' }, holders, 'u9')).toEqual({
      ok: true,
    });
    expect(checkNumberUnique({ e164: '+441235123400', extension: '201' }, holders, 'u9')).toMatchObject({
      ok: false,
    });
  });
});

describe('checkOneNumberPerUser', () => {
  const assignee = { id: 'u1', displayName: 'Jane Smith', current: { e164: '+441235123465' } };

  it('refuses a second number with the resource-account guidance, as a typed error', () => {
    const check = checkOneNumberPerUser(assignee, { e164: '+441235123466' }, 'add');
    expect(check.ok ? '' : check.message).toContain('create a Teams resource account for each extra number');
    expect(() => assertAllowed(check)).toThrow(AppError);
  });

  it('allows replacing the number, and a first number', () => {
    expect(checkOneNumberPerUser(assignee, { e164: '+441235123466' }, 'replace')).toEqual({ ok: true });
    expect(checkOneNumberPerUser({ ...assignee, current: null }, { e164: '+441235123466' }, 'add')).toEqual({
      ok: true,
    });
  });
});

describe('checkNumberForService', () => {
  const ranges = [{ start: '+441235123400', end: '+441235123499' }];

  it('refuses extensions and numbers outside the ranges on a trunk', () => {
    expect(
      checkNumberForService({ e164: '+441235123401', extension: '1' }, { kind: 'trunk', ranges }),
    ).toMatchObject({
      ok: false,
      details: { field: 'extension' },
    });
    expect(checkNumberForService({ e164: '+441235123501' }, { kind: 'trunk', ranges })).toMatchObject({
      ok: false,
    });
    expect(checkNumberForService({ e164: '+441235123401' }, { kind: 'trunk', ranges })).toEqual({ ok: true });
    expect(checkNumberForService({ e164: '+441235123400', extension: '1' }, { kind: 'pbx' })).toEqual({
      ok: true,
    });
  });
});

describe('findNumbersSharedByCustomers', () => {
  it('reports numbers used by more than one customer', () => {
    const shared = findNumbersSharedByCustomers([
      { accountId: 'a', accountName: 'Contoso', e164: '+441235123465' },
      { accountId: 'b', accountName: 'Fabrikam', e164: '+441235123465' },
      { accountId: 'a', accountName: 'Contoso', e164: '+441235123466' },
      { accountId: 'a', accountName: 'Contoso', e164: '+441235123466' },
    ]);
    expect(shared).toEqual([
      {
        lineUri: 'tel:+441235123465',
        accounts: [
          { accountId: 'a', accountName: 'Contoso' },
          { accountId: 'b', accountName: 'Fabrikam' },
        ],
      },
    ]);
  });
});
