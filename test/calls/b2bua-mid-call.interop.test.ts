import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { ALICE, EXTENSION, startCallHarness, until } from './support/b2bua-harness.js';
import { heldByFarEndScenario, holdResumeScenario, registerScenario } from './support/sipp-scenarios.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp;
if (!ready) console.warn('B2BUA mid-call tests skipped: kamailio and sipp are needed');

let pki: TeamsPki;
let h: Awaited<ReturnType<typeof startCallHarness>>;
beforeAll(async () => {
  if (!ready) return;
  pki = await createTeamsPki();
  h = await startCallHarness(pki);
});
afterAll(async () => {
  await h?.stop();
  await pki?.remove();
});
beforeEach(() => {
  if (!ready) return;
  h.user.settings = { ringTimeoutMs: 60_000, ringback: 'pass-through', holdMode: 'inactive' };
  h.proxies[0]!.behaviours.clear();
  h.proxies[0]!.setBehaviour(ALICE.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 50 });
});

async function nextRecord(count: number) {
  await until(() => h.recorder.records.length > count, 8000);
  return h.recorder.records[count]!;
}

/** The SDP of each re-INVITE Microsoft received in the call with this Call-ID. */
function reinvitesAtTeams(callId: string | undefined): string[] {
  const call = h.proxies.flatMap((p) => p.calls).find((c) => c.callId === callId);
  return (call?.reinvites ?? []).map((r) => r.body.toString());
}

describe.skipIf(!ready)('B2BUA mid-call: hold and resume from the PBX (sipp through Kamailio)', () => {
  it("holdMode 'inactive': the extension's sendonly hold reaches Teams as a=inactive, the resume as sendrecv, the extension is answered inactive", async () => {
    const count = h.recorder.records.length;
    const xml = holdResumeScenario('a=inactive');
    const run = await (await h.extension(xml, { service: ALICE.sipUsername })).done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record.result).toBe('answered');
    const [hold, resume] = reinvitesAtTeams(record.legs[1]?.sipCallId);
    expect(hold).toMatch(/^a=inactive\r?$/m);
    expect(hold).not.toMatch(/^a=(sendonly|recvonly|sendrecv)/m);
    expect(resume).toBeDefined();
    expect(resume).not.toMatch(/^a=(inactive|sendonly|recvonly)/m);
    expect(h.errors).toEqual([]);
  });

  it("holdMode 'music-from-pbx': Teams gets sendrecv so the PBX's music reaches it, the extension is answered recvonly", async () => {
    h.user.settings.holdMode = 'music-from-pbx';
    const count = h.recorder.records.length;
    const run = await (
      await h.extension(holdResumeScenario('a=recvonly'), { service: ALICE.sipUsername })
    ).done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    const [hold] = reinvitesAtTeams(record.legs[1]?.sipCallId);
    expect(hold).toMatch(/^a=sendrecv\r?$/m);
    expect(hold).not.toMatch(/^a=(inactive|sendonly)/m);
  });
});

describe.skipIf(!ready)('B2BUA mid-call: hold and resume from Teams', () => {
  it('Alice holds and resumes in Teams: the extension gets a=inactive then an offer without it, Teams gets 200 each time', async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
    const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
    const registered = await (await h.extension(registerScenario(), { port, extra })).done;
    expect(registered.code, registered.output).toBe(0);
    const answering = await h.extension(heldByFarEndScenario(), { port });
    await new Promise((r) => setTimeout(r, 300));
    const teams = h.proxies[0]!;
    const call = teams.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    expect(await until(() => call.status === 200, 10_000)).toBe(true);
    expect(await teams.hold(call.callId)).toBe(200);
    expect(call.held).toBe(true);
    expect(await teams.resume(call.callId)).toBe(200);
    expect(call.held).toBe(false);
    await teams.hangUp(call.callId);
    const run = await answering.done;
    expect(run.code, run.output).toBe(0);
  });
});
