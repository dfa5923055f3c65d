import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from './demo-tenant.seed.js';
import { startEmulator } from './emulator.server.js';
import { syntheticIndexOf, syntheticUserId, syntheticUsers } from './large-tenant.generator.js';
import { seedFileSchema } from './seed.schema.js';

describe('demo seed', () => {
  it('is the same in code and in seeds/demo-tenant.json (regenerate the file when the code changes)', async () => {
    const file = JSON.parse(
      await readFile(new URL('./seeds/demo-tenant.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(demoSeed())));
  });

  it('covers every rule the sync needs', () => {
    const tenant = seedFileSchema.parse(demoSeed()).tenants[0]!;
    expect(tenant.users).toHaveLength(50);
    const count = (predicate: (u: (typeof tenant.users)[number]) => boolean) =>
      tenant.users.filter(predicate).length;
    expect(count((u) => u.coexistenceMode === 'Islands')).toBeGreaterThan(0);
    expect(count((u) => u.accountType === 'resourceAccount')).toBe(3);
    expect(count((u) => u.numberType === 'callingPlan' && u.phoneNumber !== null)).toBe(2);
    expect(count((u) => u.phoneNumber === null && u.licences.includes('ENTERPRISEPREMIUM'))).toBeGreaterThan(
      0,
    );
    expect(count((u) => !u.accountEnabled)).toBe(3);
    expect(tenant.federation.allowedDomains).not.toBe('allKnown');
  });
});

describe('large tenant generator', () => {
  it('produces users lazily with a stable mix and unique numbers', () => {
    let seen = 0;
    const numbers = new Set<string>();
    let resource = 0;
    for (const user of syntheticUsers(250_000, 'big.example')) {
      seen++;
      if (user.phoneNumber) numbers.add(user.phoneNumber);
      if (user.accountType === 'resourceAccount') resource++;
    }
    expect(seen).toBe(250_000);
    expect(resource).toBe(12_500);
    expect(numbers.size).toBe(125_000);
    expect(syntheticIndexOf(syntheticUserId(123_456))).toBe(123_456);
  });
});

describe('persistence', () => {
  it('writes its state on close and continues from it when started again', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cb-emulator-')), 'state.json');
    const first = await startEmulator({ seed: demoSeed(), persistPath: path });
    const response = await fetch(`${first.url}/_emulator/tenants/${DEMO_TENANT_ID}/users/${demoUserId(12)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+442079460777', coexistenceMode: 'Islands' }),
    });
    expect(response.status).toBe(200);
    await first.close();
    const second = await startEmulator({ seed: JSON.parse(await readFile(path, 'utf8')) as object });
    try {
      const tenant = second.tenants.get(DEMO_TENANT_ID)!;
      expect(tenant.telephony.numbersOf(demoUserId(12)).map((n) => n.telephoneNumber)).toEqual([
        '+442079460777',
      ]);
      expect(tenant.users.get(demoUserId(12))?.coexistenceMode).toBe('Islands');
      expect(tenant.users.size).toBe(50);
    } finally {
      await second.close();
    }
  });
});
