import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge } from '../support/cli.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** `callbridge calls list|show|export`: the real binary in a fresh process on the installation's data directory. */
describe('callbridge calls', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-cli-calls-'));
  const env = { CALLBRIDGE_DATA_DIR: dataDir, CALLBRIDGE_DEMO: 'false' };
  let accountId = '';

  beforeAll(async () => {
    const ctx = await createAppContext(loadConfig({ env }), pino({ level: 'silent' }));
    try {
      const partner = await ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
      accountId = (
        await ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
      ).id;
      const service = await ctx.services.voiceServices.create(system, accountId, {
        name: 'PBX',
        sipDomain: 'pbx.example',
      });
      const base = {
        accountId,
        serviceId: service.id,
        direction: 'teams-to-pbx' as const,
        from: '+442079460001',
        to: '201',
      };
      ctx.calls.recorder.ended({
        ...base,
        id: 'cli-failed',
        startedAt: '2026-11-20T09:00:00.000Z',
        endedAt: '2026-11-20T09:00:02.000Z',
        result: 'failed',
        legs: [{ side: 'pbx', sipCallId: 'p', finalStatus: 401 }],
        ladder: [
          {
            at: '2026-11-20T09:00:01.000Z',
            leg: 'pbx',
            direction: 'out',
            summary: 'INVITE sip:201@pbx.example SIP/2.0',
            text: 'INVITE sip:201@pbx.example SIP/2.0\r\nAuthorization: Digest username="201", response="feedfacecafe"',
          },
        ],
      });
      ctx.calls.recorder.ended({
        ...base,
        id: 'cli-answered',
        startedAt: '2026-11-20T09:05:00.000Z',
        answeredAt: '2026-11-20T09:05:03.000Z',
        endedAt: '2026-11-20T09:06:03.000Z',
        result: 'answered',
        legs: [{ side: 'pbx', sipCallId: 'q', finalStatus: 200 }],
      });
      await ctx.calls.recorder.flush();
    } finally {
      await ctx.close();
    }
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('lists calls newest first, failed ones marked, and filters by result', async () => {
    const all = await callbridge(dataDir, ['calls', 'list', '--account', accountId], env);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[1]).toContain('cli-answered');
    expect(lines[1]).toContain('60');
    expect(lines[2]).toContain('failed (!)');
    const failed = await callbridge(
      dataDir,
      ['calls', 'list', '--account', accountId, '--result', 'failed', '--json'],
      env,
    );
    expect(JSON.parse(failed.stdout).items.map((c: { id: string }) => c.id)).toEqual(['cli-failed']);
    const wrong = await callbridge(
      dataDir,
      ['calls', 'list', '--account', accountId, '--result', 'lost'],
      env,
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('result');
  });

  it('shows a call with its advice and its ladder, the digest response removed', async () => {
    const shown = await callbridge(
      dataDir,
      ['calls', 'show', 'cli-failed', '--account', accountId, '--ladder'],
      env,
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("The PBX refused the user's credentials (401)");
    expect(shown.stdout).toContain('INVITE sip:201@pbx.example SIP/2.0');
    expect(shown.stdout).toContain('response="<removed>"');
    expect(shown.stdout).not.toContain('feedfacecafe');
  });

  it('exports the calls as CSV', async () => {
    const csv = await callbridge(
      dataDir,
      ['calls', 'export', '--account', accountId, '--direction', 'teams-to-pbx'],
      env,
    );
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^cli-answered,2026-11-20T09:05:00.000Z,/);
  });
});
