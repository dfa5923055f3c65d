import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamsEdge } from '../../src/edge/teams-edge.js';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import type { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { freePort, Kamailio, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { RtpengineDaemon, rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { TEST_CALL_CONFIG } from '../support/test-call-rig.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { until } from '../support/until.js';
import { runSipp } from './support/sipp-runner.js';
import { uacScenario } from './support/sipp-scenarios.js';
import { startTeamsWithEdgeRole } from '../support/teams-with-edge.js';

const ready = kamailioInstalled() && rtpengineInstalled() && spawnSync('sipp', ['-v']).status !== null;
if (!ready) console.warn('Trunk roles tests skipped: Kamailio, rtpengine and sipp are needed');

const BOB = { number: '+441235123465', display: 'Bob Trunk' };
const TRUNK = { username: 'trunk4412', password: 'carrier-pw-1' };

interface CallView {
  id: string;
  direction: string;
  result: string;
  userId: string | null;
  to: string;
  finalStatus: number | null;
  refusal: { code: string; message: string } | null;
  media: { packets: { pbx?: number; teams?: number } } | null;
  legs: { side: string; finalStatus?: number }[];
  advice?: { code: string; steps: string[]; fix: { kind: string; path: string } } | null;
}

/**
 * Trunk calls as `serve` wires them (issue 19), all real: Kamailio as the carrier's registrar and proxy (the
 * registration trunk registers there; the carrier routes its numbers to the registered Contact with the number in
 * To), sipp as the carrier's caller echoing RTP, rtpengine, the sip and edge roles over the test app's database,
 * the Teams emulator over mutual TLS with an SDES-SRTP peer as its media. Then the trunk user's trial runs out:
 * their calls both ways are refused by the sip role's one rule, with a Reason and a record that advises.
 */
describe.skipIf(!ready).each(DIALECTS)(
  'trunk calls through the roles, Kamailio as the carrier (%s)',
  (dialect) => {
    let pki: TeamsPki;
    let kamailio: Kamailio;
    let daemon: RtpengineDaemon;
    let relay: RtpengineRelay;
    let teamsMedia: RtpPeer;
    let t: TestApp;
    let role: SipRole;
    let edge: TeamsEdge | undefined;
    let teams: TeamsSipEmulator;
    let dir: string;
    let accountId: string;
    let serviceId: string;
    let host: string;
    let runs = 0;

    const api = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
      const response = await t.app.inject({
        method,
        url: `/api/v1${url}`,
        headers: { authorization: `Bearer ${t.token}` },
        ...(payload && { payload }),
      });
      if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.body}`);
      return response.json<T>();
    };
    /** The newest stored call record, once there are more than `count`, with its advice. */
    const nextCall = async (count: number): Promise<CallView> => {
      const list = async () => {
        await t.ctx.calls.recorder.flush();
        return (await api<{ items: CallView[] }>('GET', `/accounts/${accountId}/calls`)).items;
      };
      await until(async () => (await list()).length > count, 15_000, 'call recorded');
      const [newest] = await list();
      return api<CallView>('GET', `/accounts/${accountId}/calls/${newest!.id}`);
    };
    const callCount = async () => {
      await t.ctx.calls.recorder.flush();
      return (await api<{ items: CallView[] }>('GET', `/accounts/${accountId}/calls`)).items.length;
    };
    /** The carrier (sipp) calls `number` through Kamailio; the run and what sipp received. */
    const carrierCalls = async (
      number: string,
      plan: Parameters<typeof uacScenario>[0],
      extra: string[] = [],
    ) => {
      const name = `carrier-${++runs}`;
      const run = await runSipp(dir, name, uacScenario(plan), {
        port: await freePort(),
        remote: `127.0.0.1:${kamailio.port}`,
        service: number,
        ext: '01632960001',
        extra,
      });
      const result = await run.done;
      const messages = await readFile(join(dir, `${name}.messages.log`), 'utf8').catch(() => '');
      return { ...result, messages };
    };

    beforeAll(async () => {
      pki = await createTeamsPki('sbc.test');
      dir = await mkdtemp(join(tmpdir(), 'callbridge-trunk-roles-'));
      kamailio = await Kamailio.start({
        users: [TRUNK],
        domain: 'carrier.test',
        routeNumbersTo: TRUNK.username,
      });
      daemon = await RtpengineDaemon.start();
      relay = await RtpengineRelay.open({ target: daemon.target });
      teamsMedia = await RtpPeer.open({ srtp: true, toneHz: 1000 });
      t = await createTestApp(dialect, { config: { ...TEST_CALL_CONFIG, sipProbeSeconds: 1 } });
      const partner = await api<{ id: string }>('POST', '/accounts', { name: 'Provider', kind: 'partner' });
      accountId = (
        await api<{ id: string }>('POST', '/accounts', {
          name: 'Contoso',
          kind: 'client',
          parentId: partner.id,
        })
      ).id;
      await api('POST', `/accounts/${accountId}/subscriptions`, {
        sku: 'trunk_user',
        quantity: 5,
        trial: true,
      });
      serviceId = (
        await api<{ id: string }>('POST', `/accounts/${accountId}/services`, {
          kind: 'trunk',
          name: 'Carrier trunk',
          sipDomain: 'carrier.test',
          country: 'GB',
        })
      ).id;
      await api('POST', `/accounts/${accountId}/services/${serviceId}/number-ranges`, {
        start: '+441235123400',
        end: '+441235123499',
      });
      await api('POST', `/accounts/${accountId}/users`, {
        serviceId,
        email: 'bob@contoso.example',
        displayName: BOB.display,
        phoneNumber: BOB.number,
      });
      await api('PUT', `/accounts/${accountId}/services/${serviceId}/trunk`, {
        kind: 'registration',
        domain: 'carrier.test',
        addresses: [{ host: '127.0.0.1', port: kamailio.port }],
        transport: 'udp',
        username: TRUNK.username,
        password: TRUNK.password,
        calledNumberFrom: 'to',
      });
      host = carrierNamesOf(serviceId, 'sbc.test').domain;
      role = await startSipRole(t.ctx, undefined, { relay });
      ({ teams, edge } = await startTeamsWithEdgeRole(t.ctx, pki, role.calls, {
        directory: staticDirectory({ [host]: 't1' }, [
          { tenantId: 't1', userId: 'teams-bob', displayName: BOB.display, number: BOB.number },
        ]),
        // Teams' media processor answers rtpengine's SRTP offer and sends its tone at once.
        media: teamsMedia,
      }));
      teams.setBehaviour(BOB.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 100 });
      await until(
        async () => (await kamailio.contactsOf(TRUNK.username)).length === 1,
        15_000,
        'trunk registered',
      );
    }, 90_000);
    afterAll(async () => {
      await teams?.stop();
      await edge?.stop();
      await role?.stop();
      await t?.close();
      teamsMedia?.close();
      relay?.close();
      await daemon?.stop();
      await kamailio?.dispose();
      await pki?.remove();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("the carrier's call to Bob's number, relayed by Kamailio to the trunk's registered Contact, reaches Bob in Teams with audio both ways", async () => {
      expect(await kamailio.contactsOf(TRUNK.username)).toHaveLength(1); // the trunk's one binding
      const count = await callCount();
      const before = teamsMedia.counts.received;
      const run = carrierCalls(BOB.number, { kind: 'answered', talkMs: 4000 }, [
        '-rtp_echo',
        '-mp',
        String(await freePort()),
      ]);
      // Teams' tone goes through rtpengine to the carrier (plain RTP), which echoes it back through rtpengine.
      expect(
        await until(() => teamsMedia.counts.received - before >= 50, 10_000, 'tone back at Teams'),
      ).toBeLessThan(10_000);
      expect(teamsMedia.counts.authFailures).toBe(0);
      expect(teamsMedia.toneFraction(1000)).toBeGreaterThan(0.9);
      const done = await run;
      teamsMedia.stop();
      expect(done.code, done.output).toBe(0);
      const record = await nextCall(count);
      expect(record).toMatchObject({ direction: 'pbx-to-teams', result: 'answered', to: BOB.number });
      expect(record.userId).toEqual(expect.any(String));
      expect(record.media?.packets.pbx).toBeGreaterThan(40);
      expect(record.media?.packets.teams).toBeGreaterThan(40);
      // Kamailio stayed in the path: our 200 carried its Record-Route, so the carrier's BYE went through it.
      expect(done.messages).toMatch(/^Record-Route: <sip:127\.0\.0\.1:\d+;lr[^>]*>/m);
      expect(done.messages).toMatch(
        /^BYE sip:cb[\w-]+@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?^Route: <sip:127\.0\.0\.1:\d+;lr/m,
      );
    }, 60_000);

    it("Bob's trial is over: the carrier's call gets 403 with a Reason, Bob's call out gets 403, each recorded with the licence advice", async () => {
      // Time passes: the trial ended 15 days ago, past its 14 days of grace.
      await t.ctx.store.handle.db
        .updateTable('subscriptions')
        .set({ trial_ends_at: new Date(Date.now() - 15 * 86_400_000).toISOString() })
        .where('account_id', '=', accountId)
        .execute();
      await role.reload();
      const teamsCalls = teams.calls.length;
      let count = await callCount();
      const inbound = await carrierCalls(BOB.number, { kind: 'rejected', status: 403 });
      expect(inbound.code, inbound.output).toBe(0);
      expect(inbound.messages).toMatch(
        /^Reason: SIP;cause=403;text="The trunk user holding \+441235123465 cannot make or take calls: No trunk user licence is free/m,
      );
      expect(teams.calls.length).toBe(teamsCalls); // Teams was never rung
      const refusedIn = await nextCall(count);
      expect(refusedIn).toMatchObject({
        direction: 'pbx-to-teams',
        result: 'refused',
        finalStatus: 403,
        refusal: { code: 'user_not_callable' },
      });
      expect(refusedIn.refusal!.message).toContain('the account holds 0 trunk user');
      expect(refusedIn.advice).toMatchObject({ code: 'licence_refused', fix: { kind: 'licences' } });
      expect(refusedIn.advice!.steps.join(' ')).toContain(
        'a user holding a trunk number a trunk user licence',
      );

      count = await callCount();
      const call = teams.callFromTeams(BOB.number, '+441632960999', host);
      await until(() => call.status !== undefined, 10_000, 'Teams has an answer');
      expect(call.status).toBe(403);
      const refusedOut = await nextCall(count);
      expect(refusedOut).toMatchObject({
        direction: 'teams-to-pbx',
        result: 'refused',
        refusal: { code: 'user_not_callable' },
      });
      expect(refusedOut.legs.map((l) => l.side)).toEqual(['teams']);
      expect(refusedOut.advice).toMatchObject({ code: 'licence_refused' });
      const ladder = await t.app.inject({
        method: 'GET',
        url: `/api/v1/accounts/${accountId}/calls/${refusedOut.id}/ladder/text`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      expect(ladder.body).toMatch(
        /Reason: SIP;cause=403;text="The trunk user holding \+441235123465 cannot make/,
      );
    }, 60_000);
  },
);
