import { describe, expect, it } from 'vitest';
import { indexHolders, type NumberHolder } from '../numbers/index.js';
import { readImportFile } from './csv-import.js';
import { planImport, redactPlan, type ImportContext, type ImportUser } from './csv-plan.js';

const header = 'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId';
const user = (id: string, email: string, over: Partial<ImportUser> = {}): ImportUser => ({
  id,
  email,
  displayName: email.split('@')[0] ?? email,
  kind: 'standard',
  phoneNumber: null,
  extension: null,
  sipUsername: null,
  authUsername: null,
  hasSipPassword: false,
  externalId: null,
  ...over,
});

const users = new Map(
  [
    user('u1', 'jane@contoso.com', {
      displayName: 'Jane',
      phoneNumber: '+441235123465',
      numberType: 'ddi',
      sipUsername: '201',
      authUsername: '201',
      hasSipPassword: true,
    }),
    user('u2', 'bob@contoso.com', {
      displayName: 'Bob',
      phoneNumber: '+441235123466',
      numberType: 'ddi',
      sipUsername: '202',
    }),
    user('u3', 'carol@contoso.com', { displayName: 'Carol' }),
  ].map((u) => [u.email, u]),
);
const reception: NumberHolder = {
  id: 'r1',
  kind: 'resource_account',
  displayName: 'Reception',
  email: 'reception@contoso.com',
  e164: '+441235123400',
};
const holders = indexHolders([
  reception,
  ...[...users.values()].flatMap((u) =>
    u.phoneNumber
      ? [{ id: u.id, kind: 'user' as const, displayName: u.displayName, email: u.email, e164: u.phoneNumber }]
      : [],
  ),
]);
const sipHolders = new Map(
  [...users.values()].flatMap((u) => (u.sipUsername ? [[u.sipUsername, u] as const] : [])),
);
const context: ImportContext = {
  serviceKind: 'pbx',
  findUser: (email) => users.get(email),
  findNumberHolder: holders,
  findSipUsernameHolder: (name) => sipHolders.get(name),
};

function plan(lines: string[], ctx: ImportContext = context) {
  return planImport(
    readImportFile([header, ...lines].join('\r\n'), { serviceKind: ctx.serviceKind, defaultCountry: 'GB' }),
    ctx,
  );
}

describe('planImport', () => {
  it('plans create, update and unchanged rows, and can be applied when nothing is wrong', () => {
    const result = plan([
      '201,Jane,jane@contoso.com,+441235123465,201,,',
      '202,Bob,bob@contoso.com,+441235123467,,pw,',
      '203,Carol,carol@contoso.com,+441235123400;ext=203,,pw,',
    ]);
    expect(result.ok).toBe(true);
    expect(result.rows.map((row) => row.action)).toEqual(['unchanged', 'update', 'create']);
    expect(result.counts).toEqual({ create: 1, update: 1, unchanged: 1, error: 0 });
    expect(result.rows[1]?.changes).toEqual({ password: 'pw', phoneNumber: '+441235123467' });
    expect(result.rows[2]?.changes).toMatchObject({
      phoneNumber: '+441235123400',
      extension: '203',
      numberType: 'extension',
    });
  });

  it('refuses an email that matches no synced Teams user, and everything with it', () => {
    const result = plan(['201,Jane,jane@contoso.com,+441235123465,201,,', '209,Zed,zed@contoso.com,,,,']);
    expect(result.ok).toBe(false);
    expect(result.rows[1]).toMatchObject({
      action: 'error',
      issues: [{ column: 'Email', severity: 'error' }],
    });
    expect(result.rows[1]?.issues[0]?.message).toBe('No synced Teams user has the email zed@contoso.com');
  });

  it('refuses a number held by someone else, naming the holder', () => {
    const result = plan(['203,Carol,carol@contoso.com,+441235123400,,pw,']);
    expect(result.rows[0]?.action).toBe('error');
    expect(result.rows[0]?.issues[0]?.message).toContain(
      '+441235123400 is already assigned to the resource account Reception (reception@contoso.com)',
    );
  });

  it('allows swapping numbers between users in one file, but not taking a number its holder keeps', () => {
    const swap = plan([
      '201,Jane,jane@contoso.com,+441235123466,,,',
      '202,Bob,bob@contoso.com,+441235123465,,pw,',
    ]);
    expect(swap.ok).toBe(true);
    const take = plan(['203,Carol,carol@contoso.com,+441235123465,,pw,']);
    expect(take.rows[0]?.issues[0]?.message).toContain('already assigned to Jane (jane@contoso.com)');
  });

  it('refuses a SIP username used by another user of the service', () => {
    const result = plan(['201,Carol,carol@contoso.com,,,pw,']);
    expect(result.rows[0]?.issues.map((issue) => issue.column)).toContain('SIPUsername');
    expect(result.ok).toBe(false);
  });

  it('warns about a name that differs from Microsoft 365 and a user that cannot register', () => {
    const result = plan(['203,Caroline,carol@contoso.com,,,,']);
    expect(result.ok).toBe(true);
    expect(result.rows[0]?.issues.map((issue) => `${issue.column} ${issue.severity}`)).toEqual([
      'Name warning',
      'Password warning',
    ]);
  });

  it('keeps file errors on their rows and never shows a password once redacted', () => {
    const result = plan(['203,Carol,carol@contoso.com,01235 123467,,s3cret,']);
    expect(result.rows[0]).toMatchObject({
      action: 'error',
      issues: [{ column: 'PhoneNumber', fix: '+441235123467' }],
    });
    const fine = plan(['203,Carol,carol@contoso.com,,,s3cret,']);
    expect(JSON.stringify(redactPlan(fine))).not.toContain('s3cret');
    expect(redactPlan(fine).rows[0]?.changedFields).toContain('password');
  });

  it('checks trunk numbers against the ranges and caller IDs against the service numbers', () => {
    const trunk: ImportContext = {
      ...context,
      serviceKind: 'trunk',
      ranges: [{ start: '+441235123400', end: '+441235123499' }],
      serviceNumbers: new Set(['+441235123400']),
    };
    const lines = [
      '+441235123470,Carol,carol@contoso.com,+441235123400,',
      '+441235123580,Jane,jane@contoso.com,+441235123999,',
    ];
    const result = planImport(
      readImportFile(['TrunkNumber,Name,Email,Caller ID,ExternalId', ...lines].join('\n'), {
        serviceKind: 'trunk',
      }),
      trunk,
    );
    expect(result.rows[0]).toMatchObject({
      action: 'create',
      changes: { phoneNumber: '+441235123470', numberType: 'trunk', callerId: '+441235123400' },
    });
    expect(result.rows[1]?.issues.map((issue) => issue.column)).toEqual(['TrunkNumber', 'Caller ID']);
  });
});
