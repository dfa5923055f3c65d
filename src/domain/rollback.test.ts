import { describe, expect, it } from 'vitest';
import { importRollbackFields, planRollback, type RollbackCurrent } from './rollback.js';

const current = (
  id: string,
  phoneNumber: string | null,
  syncedLine: string | null = phoneNumber,
): RollbackCurrent => ({
  id,
  email: `${id}@contoso.example`,
  values: { phoneNumber },
  syncedLine,
  writesToTenant: true,
});

describe('planRollback', () => {
  const targets = [
    { userId: 'a', before: { phoneNumber: '+441000' }, after: { phoneNumber: '+442000' } },
    { userId: 'b', before: { phoneNumber: null }, after: { phoneNumber: '+442001' } },
    { userId: 'c', before: { phoneNumber: '+441002' }, after: { phoneNumber: '+442002' } },
    { userId: 'd', before: { phoneNumber: '+441003' }, after: { phoneNumber: '+442003' } },
    { userId: 'gone', before: { phoneNumber: null }, after: { phoneNumber: '+442004' } },
  ];
  const now = new Map([
    ['a', current('a', '+442000')],
    ['b', { ...current('b', '+442001'), syncedLine: undefined }],
    ['c', current('c', '+449999')],
    ['d', current('d', '+441003')],
  ]);

  it('restores what the operation left, reports users changed since as conflicts with both values', () => {
    const plan = planRollback(targets, now, importRollbackFields);
    expect(plan.counters).toEqual({ restored: 2, conflicts: 1, unchanged: 1, tenantWrites: 1, missing: 1 });
    expect(plan.users).toEqual([
      {
        userId: 'a',
        email: 'a@contoso.example',
        action: 'restore',
        portal: [{ field: 'phoneNumber', now: '+442000', restored: '+441000' }],
        tenant: { from: '+442000', to: '+441000' },
      },
      // Never synced: nothing goes to the tenant until the next sync plans it.
      {
        userId: 'b',
        email: 'b@contoso.example',
        action: 'restore',
        portal: [{ field: 'phoneNumber', now: '+442001', restored: null }],
        tenant: null,
      },
      {
        userId: 'c',
        email: 'c@contoso.example',
        action: 'conflict',
        changed: [{ field: 'phoneNumber', operation: '+442002', now: '+449999' }],
      },
      { userId: 'd', email: 'd@contoso.example', action: 'unchanged' },
    ]);
  });
});
