import { describe, expect, it } from 'vitest';
import { compileFilter, ODataError, project, topOf } from './odata.query.js';

const users = [
  {
    id: '1',
    displayName: "Ann O'Neil",
    accountEnabled: true,
    assignedLicenses: [{ skuId: 'aaa' }],
    usageLocation: 'GB',
  },
  { id: '2', displayName: 'Bob', accountEnabled: false, assignedLicenses: [], usageLocation: 'US' },
  {
    id: '3',
    displayName: 'Bea',
    accountEnabled: true,
    assignedLicenses: [{ skuId: 'bbb' }],
    usageLocation: null,
  },
];
const ids = (filter: string) => users.filter(compileFilter(filter)!).map((u) => u.id);

describe('$filter subset', () => {
  it.each([
    ['accountEnabled eq true', ['1', '3']],
    ["startswith(displayName,'b')", ['2', '3']],
    ["displayName eq 'Ann O''Neil'", ['1']],
    ["usageLocation eq null or usageLocation eq 'US'", ['2', '3']],
    ["accountEnabled eq true and not (usageLocation eq 'GB')", ['3']],
    ["id in ('1','3')", ['1', '3']],
    ['assignedLicenses/any(x:x/skuId eq bbb)', ['3']],
    ["endswith(displayName,'B')", ['2']],
  ])('%s', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('refuses what Graph would refuse', () => {
    expect(() => compileFilter('displayName like x')).toThrow(ODataError);
    expect(() => topOf(new URLSearchParams('$top=1000'), 100, 999)).toThrow(/between 1 and 999/);
    expect(compileFilter('')).toBeUndefined();
  });

  it('projects $select and keeps id', () => {
    expect(project(users[0]!, ['displayName'])).toEqual({ id: '1', displayName: "Ann O'Neil" });
  });
});
