import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { teamsSipControlRoutes } from '../../src/emulator/teams-sip/teams-sip-control.routes.js';
import {
  pointVoiceRoutesAt,
  startDemoTeamsSip,
  type DemoTeamsSip,
} from '../../src/emulator/teams-sip/teams-sip.demo.js';
import { callbridge } from '../support/cli.js';

/** `callbridge emulator teams-sip ...` against a running Graph + Teams SIP emulator (the CLI is a real process). */
describe('callbridge emulator teams-sip', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-teams-cli-'));
  let graph: RunningEmulator;
  let teams: DemoTeamsSip;
  const cli = (...args: string[]) =>
    callbridge(dataDir, ['emulator', 'teams-sip', '--url', graph.url, ...args]);

  beforeAll(async () => {
    const holder: { teams?: DemoTeamsSip } = {};
    graph = await startEmulator({
      seed: demoSeed(),
      routes: teamsSipControlRoutes(() => holder.teams?.emulator),
    });
    teams = holder.teams = await startDemoTeamsSip({
      pkiDir: path.join(dataDir, 'pki'),
      sbcDomain: 'sbc.test',
      state: graph.state,
    });
    pointVoiceRoutesAt(graph.state, DEMO_TENANT_ID, 'contoso.sbc.test');
  });
  afterAll(async () => {
    await teams.close();
    await graph.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('injects faults, lists calls, and says why a call cannot be placed', async () => {
    const faults = await cli('faults', '--invite-statuses', '503,486', '--retry-after', '9');
    expect(faults.code).toBe(0);
    expect(JSON.parse(faults.stdout)).toMatchObject({ inviteStatuses: [503, 486], retryAfterSeconds: 9 });
    expect(teams.emulator.faults.inviteStatuses).toEqual([503, 486]);

    const bad = await cli('faults', '--invite-statuses', '200');
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('SIP statuses 300-699')]);

    // No SBC listens yet: the emulator knows the voice route's gateway but not where it is.
    const call = await cli('call', '--from', '+442079460001', '--to', '+441234500009');
    expect([call.code, call.stderr]).toEqual([1, 'error: No SBC address known for contoso.sbc.test\n']);
    const calls = await cli('calls', '--json');
    expect(JSON.parse(calls.stdout)).toEqual([]);

    expect(JSON.parse((await cli('faults', '--clear')).stdout)).toMatchObject({ inviteStatuses: [] });
    const gone = await cli('hangup', 'no-such-call');
    expect([gone.code, gone.stderr]).toEqual([1, 'error: No emulated call no-such-call\n']);
  });
});
