import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge as runCli } from '../support/cli.js';

const callbridge = (dataDir: string, ...args: string[]) => runCli(dataDir, args);

const setup = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** Two customers of a partner, each with a trunk service and a user holding +441235123401 (made in-process). */
async function seed(dataDir: string) {
  const ctx = await createAppContext(
    loadConfig({ env: {}, overrides: { dataDir } }),
    pino({ level: 'warn' }),
  );
  try {
    const partner = await ctx.services.accounts.create(setup, { name: 'Provider', kind: 'partner' });
    const clients = [];
    for (const name of ['Contoso', 'Fabrikam']) {
      const client = await ctx.services.accounts.create(setup, {
        name,
        kind: 'client',
        parentId: partner.id,
      });
      await ctx.services.subscriptions.create(setup, client.id, { sku: 'trunk_user', quantity: 10 });
      const trunk = await ctx.services.voiceServices.create(setup, client.id, {
        kind: 'trunk',
        name: 'Trunk',
        sipDomain: 'trunk.example.net',
        country: 'GB',
      });
      await ctx.services.numberRanges.add(setup, client.id, trunk.id, {
        start: '+441235123400',
        end: '+441235123409',
      });
      await ctx.services.users.create(setup, client.id, {
        serviceId: trunk.id,
        email: `anna@${name.toLowerCase()}.example`,
        displayName: 'Anna',
        phoneNumber: '+441235123401',
      });
      clients.push({ accountId: client.id, serviceId: trunk.id });
    }
    return { partnerId: partner.id, clients };
  } finally {
    await ctx.close();
  }
}

// Each command is a fresh Node process (tsx start-up included): allow for a loaded two-core machine.
describe('callbridge numbers', { timeout: 120_000 }, () => {
  it('lists and adds ranges and service numbers, gives the next free number, reports shared numbers', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-numbers-'));
    const { partnerId, clients } = await seed(dataDir);
    const { accountId, serviceId } = clients[0]!;
    const target = ['--account', accountId, '--service', serviceId];

    const overlap = await callbridge(
      dataDir,
      'numbers',
      'ranges',
      'add',
      ...target,
      '--start',
      '+441235123405',
    );
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toContain('overlaps the existing range +441235123400 to +441235123409');

    const added = await callbridge(
      dataDir,
      'numbers',
      'service-numbers',
      'add',
      ...target,
      '--number',
      '+441235123400',
      '--label',
      'Main number',
    );
    expect(added.stdout).toMatch(/\+441235123400\s+Main number/);

    const ranges = JSON.parse(
      (await callbridge(dataDir, 'numbers', 'ranges', 'list', ...target, '--json')).stdout,
    );
    expect(ranges).toEqual([
      expect.objectContaining({ start: '+441235123400', size: 10, used: 1, reserved: 1, free: 8 }),
    ]);

    const next = await callbridge(dataDir, 'numbers', 'next-free', ...target, '--count', '2', '--json');
    expect(JSON.parse(next.stdout).map((n: { number: string }) => n.number)).toEqual([
      '+441235123402',
      '+441235123403',
    ]);

    const shared = await callbridge(dataDir, 'numbers', 'shared', '--account', partnerId);
    expect(shared.code).toBe(0);
    expect(shared.stdout).toMatch(/\+441235123401\s+2\s+Contoso\s+anna@contoso\.example/);
    expect(shared.stdout).toMatch(/\+441235123401\s+2\s+Fabrikam\s+anna@fabrikam\.example/);
    expect(shared.stdout).toContain('1 number held by more than one customer');
  });
});
