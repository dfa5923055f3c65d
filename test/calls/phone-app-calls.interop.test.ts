import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DialProgress } from '../../src/calls/phone-app/dial-progress.js';
import { recordOf, type CallRecord } from '../../src/calls/records/call-record.js';
import { adviceFor, type AdviceContext } from '../../src/calls/records/failure-advice.js';
import { DEMO_PHONE_APP_DOMAIN } from '../../src/emulator/demo-tenant.seed.js';
import { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { RtpengineDaemon, rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { until } from './support/b2bua-harness.js';
import { DESK_PHONE, DEBRA, startPhoneAppHarness } from './support/phone-app-harness.js';
import {
  heldByFarEndScenario,
  holdsCallerScenario,
  registerScenario,
  uacScenario,
  uasScenario,
} from './support/sipp-scenarios.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp && rtpengineInstalled();
if (!ready) console.warn('Phone App call tests skipped: kamailio, sipp and rtpengine are needed');

/**
 * The Phone App's calls (issue 20) end to end: Callbridge reaches Debra's Teams client through external access
 * (the emulated federation edge applies the demo tenant's settings), the PBX (Kamailio) as Debra with her digest,
 * sipp as the desk phone 2001 echoing audio, rtpengine between; Teams' media processor is an SDES-SRTP peer.
 */
describe.skipIf(!ready)('Phone App calls through external access, the PBX and rtpengine', () => {
  let daemon: RtpengineDaemon;
  let relay: RtpengineRelay;
  let teamsMedia: RtpPeer;
  let h: Awaited<ReturnType<typeof startPhoneAppHarness>>;
  let deskPhonePort: number;
  beforeAll(async () => {
    daemon = await RtpengineDaemon.start();
    relay = await RtpengineRelay.open({ target: daemon.target });
    teamsMedia = await RtpPeer.open({ srtp: true, toneHz: 1000 });
    // Answering, Teams' media processor first takes the offer rtpengine made it (its answer echoes the crypto tag).
    const mediaSdp = () => {
      const offer = h.toTeams().at(-1)?.incoming?.request.body.toString();
      if (offer) teamsMedia.setRemote(offer);
      return Buffer.from(teamsMedia.sdp());
    };
    h = await startPhoneAppHarness({ relay, mediaSdp });
    await until(() => h.agent.status(h.userId)?.state === 'registered');
    deskPhonePort = await freePort();
    const extra = ['-au', DESK_PHONE.username, '-ap', DESK_PHONE.password];
    expect((await h.deskPhone(registerScenario(), { port: deskPhonePort, extra })).code).toBe(0);
  });
  afterAll(async () => {
    await h?.stop();
    teamsMedia?.close();
    relay?.close();
    await daemon?.stop();
  });
  beforeEach(() => {
    h.tenant.telephony.federation = {
      ...h.tenant.telephony.federation,
      allowFederatedUsers: true,
      allowedDomains: [DEMO_PHONE_APP_DOMAIN],
    };
    h.tenant.findUser(DEBRA.address)!.coexistenceMode = 'TeamsOnly';
  });

  /** Teams' media processor talks to what rtpengine gave Teams; true once its tone came back through the echo. */
  async function teamsHearsItsToneBack(sdpTowardTeams: string): Promise<void> {
    teamsMedia.setRemote(sdpTowardTeams);
    const before = teamsMedia.counts.received;
    teamsMedia.start();
    await until(() => teamsMedia.counts.received - before >= 50, 8000);
    teamsMedia.stop();
    expect(teamsMedia.counts.received - before).toBeGreaterThanOrEqual(50);
    expect(teamsMedia.counts.authFailures).toBe(0);
    expect(teamsMedia.toneFraction(1000)).toBeGreaterThan(0.9);
  }

  /** What the call records service feeds the advice: the record and Debra as the last sync saw her. */
  function adviceContext(record: CallRecord, coexistenceMode: string): AdviceContext {
    return {
      call: { ...record, proxiesTried: [] },
      user: {
        id: h.userId,
        displayName: 'Debra Berger',
        kind: 'phone_app',
        phoneNumber: null,
        teamsNumber: null,
        hasTeamsPhone: false,
        syncError: null,
        coexistenceMode,
      },
      voiceRoutingPolicyReady: true,
      domainReady: true,
      subdomain: 'contoso.sbc.test',
      phoneAppDomain: DEMO_PHONE_APP_DOMAIN,
    };
  }

  async function ended(callId: string): Promise<DialProgress> {
    await until(() => h.b2bua.phoneApp.progress(h.userId, callId)?.phase === 'ended', 10_000);
    return h.b2bua.phoneApp.progress(h.userId, callId)!;
  }

  it('click-to-dial: Teams rings Debra from the Phone App domain showing the number; answered, the PBX is called as Debra; audio both ways', async () => {
    const phone = h.deskPhone(uasScenario({ kind: 'answer' }), {
      port: deskPhonePort,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    await new Promise((r) => setTimeout(r, 300));
    const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
    const phases = new Set<string>();
    const watch = setInterval(() => phases.add(h.b2bua.phoneApp.progress(h.userId, callId)?.phase ?? ''), 20);
    expect(await until(() => h.b2bua.phoneApp.progress(h.userId, callId)?.phase === 'answered', 12_000)).toBe(
      true,
    );
    clearInterval(watch);
    expect(phases.has('calling-teams') || phases.has('connecting')).toBe(true);
    const toTeams = h.toTeams().at(-1)!;
    const invite = toTeams.incoming!.request;
    // Federation addresses the person, from the Phone App domain, presenting the number dialled.
    expect(invite.uri).toBe(`sip:${DEBRA.address}`);
    expect(invite.headers.get('From')).toMatch(new RegExp(`^"2001" <sip:2001@${DEMO_PHONE_APP_DOMAIN}>`));
    expect(toTeams.federated).toBe(true);
    expect(toTeams.status).toBe(200);
    await teamsHearsItsToneBack(invite.body.toString());
    expect(await h.b2bua.phoneApp.hangUp(h.userId, callId)).toBe(true);
    const run = await phone;
    expect(run.code, run.output).toBe(0);
    const progress = await ended(callId);
    expect(progress.result).toBe('answered');
    await until(() => h.recorder.records.some((r) => r.id === callId));
    const record = h.recorder.records.find((r) => r.id === callId)!;
    expect(record).toMatchObject({ direction: 'teams-to-pbx', from: DEBRA.address, to: '2001' });
    // The PBX leg went as Debra: her AOR in From, her digest answered Kamailio's challenge.
    const pbxInvites = record.ladder!.filter((e) => e.leg === 'pbx' && e.summary.startsWith('INVITE'));
    expect(pbxInvites.at(-1)!.text).toMatch(/^From: <sip:debra@pbx\.test>/im);
    expect(pbxInvites.at(-1)!.text).toMatch(/^(Proxy-)?Authorization: Digest /im);
    expect(pbxInvites.at(-1)!.text).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(record.media?.packets.pbx).toBeGreaterThan(40);
    expect(record.media?.packets.teams).toBeGreaterThan(40);
  });

  /** Debra clicks to dial the desk phone running `xml` (echoing audio); resolves once the call is bridged. */
  async function answeredClickToDial(xml: string) {
    const phone = h.deskPhone(xml, {
      port: deskPhonePort,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    await new Promise((r) => setTimeout(r, 300));
    const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
    expect(await until(() => h.b2bua.phoneApp.progress(h.userId, callId)?.phase === 'answered', 12_000)).toBe(
      true,
    );
    return { callId, phone, toTeams: h.toTeams().at(-1)! };
  }

  it('hold from Teams: the PBX leg is re-INVITEd with a=inactive (its music on hold plays to the far party); resume restores sendrecv and audio both ways', async () => {
    // The desk phone fails its scenario unless the first re-INVITE carries a=inactive and the second does not.
    const { callId, phone, toTeams } = await answeredClickToDial(heldByFarEndScenario());
    expect(await h.teams.hold(toTeams.callId)).toBe(200);
    expect(toTeams.reinviteAnswer!.body.toString()).toMatch(/^a=inactive\r?$/m);
    expect(await h.teams.resume(toTeams.callId)).toBe(200);
    const resumed = toTeams.reinviteAnswer!.body.toString();
    expect(resumed).not.toMatch(/^a=(inactive|sendonly|recvonly)/m);
    await teamsHearsItsToneBack(resumed);
    expect(await h.b2bua.phoneApp.hangUp(h.userId, callId)).toBe(true);
    const run = await phone;
    expect(run.code, run.output).toBe(0);
    expect((await ended(callId)).result).toBe('answered');
    expect(h.errors).toEqual([]);
  });

  it('hold from the PBX side: Teams is re-INVITEd with a=inactive, the resume with sendrecv; audio both ways after it', async () => {
    // The desk phone holds with a=sendonly and fails unless it is answered a=inactive, then resumes.
    const { callId, phone, toTeams } = await answeredClickToDial(holdsCallerScenario('a=inactive'));
    expect(await until(() => (toTeams.reinvites?.length ?? 0) >= 2, 8000)).toBe(true);
    const [hold, resume] = toTeams.reinvites!.map((r) => r.body.toString());
    expect(hold).toMatch(/^a=inactive\r?$/m);
    expect(hold).not.toMatch(/^a=(sendonly|recvonly|sendrecv)/m);
    expect(resume).not.toMatch(/^a=(inactive|sendonly|recvonly)/m);
    await teamsHearsItsToneBack(resume!);
    expect(await h.b2bua.phoneApp.hangUp(h.userId, callId)).toBe(true);
    const run = await phone;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.some((r) => r.id === callId));
    const record = h.recorder.records.find((r) => r.id === callId)!;
    expect(record.ladder!.filter((e) => e.leg === 'teams' && e.summary.startsWith('INVITE')).length).toBe(3);
    expect(h.errors).toEqual([]);
  });

  it('inbound: the desk phone calls Debra at the PBX; her Teams client rings through external access, not Direct Routing; audio both ways', async () => {
    const count = h.toTeams().length;
    const call = h.deskPhone(uacScenario({ kind: 'answered', talkMs: 4000 }), {
      service: DEBRA.sipUsername,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    expect(await until(() => h.toTeams().length > count && h.toTeams().at(-1)?.status === 200, 8000)).toBe(
      true,
    );
    const toTeams = h.toTeams().at(-1)!;
    expect(toTeams.federated).toBe(true);
    expect(toTeams.incoming!.request.uri).toBe(`sip:${DEBRA.address}`);
    expect(toTeams.incoming!.request.headers.get('From')).toContain(`@${DEMO_PHONE_APP_DOMAIN}>`);
    await teamsHearsItsToneBack(toTeams.incoming!.request.body.toString());
    const run = await call;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.at(-1)?.direction === 'pbx-to-teams');
    expect(h.recorder.records.at(-1)).toMatchObject({ result: 'answered', to: DEBRA.address });
  });

  it('hung up in the tab while Teams still rings: Teams is cancelled, the PBX never called, the call ends cancelled', async () => {
    h.teams.setBehaviour(DEBRA.address, { outcome: 'ring' });
    try {
      const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
      expect(await until(() => h.toTeams().at(-1)?.incoming?.request.uri === `sip:${DEBRA.address}`)).toBe(
        true,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(await h.b2bua.phoneApp.hangUp(h.userId, callId)).toBe(true);
      const progress = await ended(callId);
      expect(progress).toMatchObject({ result: 'cancelled' });
      expect(progress.failure).toBeUndefined();
      expect(h.toTeams().at(-1)?.status).toBe(487);
      await until(() => h.recorder.records.some((r) => r.id === callId));
      expect(h.recorder.records.find((r) => r.id === callId)!.legs.map((leg) => leg.side)).toEqual(['teams']);
    } finally {
      h.teams.setBehaviour(DEBRA.address, { outcome: 'answer' });
    }
  });

  it('hung up in Teams while the number rings: the PBX leg is cancelled, the call ends cancelled without a failure', async () => {
    const phone = h.deskPhone(uasScenario({ kind: 'ring-until-cancel' }), { port: deskPhonePort });
    await new Promise((r) => setTimeout(r, 300));
    const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
    expect(await until(() => h.b2bua.phoneApp.progress(h.userId, callId)?.phase === 'ringing', 8000)).toBe(
      true,
    );
    await h.teams.hangUp(h.toTeams().at(-1)!.callId);
    const progress = await ended(callId);
    expect(progress).toMatchObject({ result: 'cancelled' });
    expect(progress.failure).toBeUndefined();
    const run = await phone;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.some((r) => r.id === callId));
    const record = h.recorder.records.find((r) => r.id === callId)!;
    expect(record.legs.find((leg) => leg.side === 'teams')?.hungUpBy).toBe('teams');
    expect(record.legs.find((leg) => leg.side === 'pbx')?.finalStatus).toBe(487);
  });

  it('external access blocked: Teams answers 603; the tab is told, and the record carries the external-access steps', async () => {
    h.tenant.telephony.federation = { ...h.tenant.telephony.federation, allowedDomains: ['fabrikam.com'] };
    const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
    const progress = await ended(callId);
    expect(progress).toMatchObject({ result: 'declined', failure: { by: 'teams', status: 603 } });
    expect(progress.failure!.message).toMatch(/allows only listed domains/);
    await until(() => h.recorder.records.some((r) => r.id === callId));
    const record = recordOf(h.recorder.records.find((r) => r.id === callId)!);
    expect(record).toMatchObject({ finalStatus: 603, refusedBy: 'teams' });
    const advice = adviceFor(adviceContext(record, 'TeamsOnly'));
    expect(advice?.code).toBe('teams_603_phone_app_external_access');
    expect(advice?.steps.join(' ')).toContain(DEMO_PHONE_APP_DOMAIN);
  });

  it('external access off for the whole tenant: 603 as well, and the PBX is never called', async () => {
    h.tenant.telephony.federation = { ...h.tenant.telephony.federation, allowFederatedUsers: false };
    const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
    expect(await ended(callId)).toMatchObject({ failure: { by: 'teams', status: 603 } });
    await until(() => h.recorder.records.some((r) => r.id === callId));
    const record = h.recorder.records.find((r) => r.id === callId)!;
    expect(record.legs.map((leg) => leg.side)).toEqual(['teams']);
  });

  it('a user in Skype for Business mode is refused (480), and the tab says why', async () => {
    h.tenant.findUser(DEBRA.address)!.coexistenceMode = 'SfBOnly';
    const { callId } = await h.b2bua.phoneApp.place({ userId: h.userId, number: DESK_PHONE.username });
    const progress = await ended(callId);
    expect(progress.failure).toMatchObject({ by: 'teams', status: 480 });
    expect(progress.failure!.message).toMatch(/not Teams Only/);
    await until(() => h.recorder.records.some((r) => r.id === callId));
    const record = recordOf(h.recorder.records.find((r) => r.id === callId)!);
    const advice = adviceFor(adviceContext(record, 'SfBOnly'));
    expect(advice?.code).toBe('teams_480_phone_app_not_teams_only');
  });
});
