import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import { startEdgeRole } from '../../src/roles/edge.role.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { clientWithPbxService } from '../support/store-fixtures.js';
import { createTestApp } from '../support/test-app.js';

let pki: TeamsPki;
beforeAll(async () => void (pki = await createTeamsPki('sbc.test')));
afterAll(() => pki.remove());

describe('edge role (sqlite)', () => {
  it('stays off without a certificate and says how to turn it on', async () => {
    const app = await createTestApp('sqlite');
    try {
      expect(await startEdgeRole(app.ctx)).toBeUndefined();
      expect(app.logLines.join('')).toContain('set CALLBRIDGE_SBC_CERT_FILE and CALLBRIDGE_SBC_KEY_FILE');
    } finally {
      await app.close();
    }
  });

  it("with a certificate: routes a call from Teams by the customer's subdomain to the user in the store (480 until bridged)", async () => {
    const app = await createTestApp('sqlite', {
      config: {
        sbcDomain: 'sbc.test',
        sbcHost: '127.0.0.1',
        sbcSignallingPort: 0,
        sbcCertFile: pki.sbc.certFile,
        sbcKeyFile: pki.sbc.keyFile,
        sbcCaFile: pki.caFile,
        teamsProxies: 'localhost:1', // no proxy to reach: this test is about calls from Teams
        teamsSignallingRanges: '127.0.0.0/8',
      },
    });
    const stops: (() => Promise<void>)[] = [() => app.close()];
    try {
      const store = app.ctx.store;
      const { client, service } = await clientWithPbxService(store, 'Contoso');
      await store.repos.users.create({
        accountId: client.id,
        serviceId: service.id,
        objectId: null,
        upn: null,
        email: 'adele@contoso.example',
        displayName: 'Adele',
        kind: 'standard',
        tenantState: 'not_synced',
        usageLocation: 'GB',
        coexistenceMode: null,
        licences: [],
        phoneNumber: '+441235100001',
        extension: null,
        numberType: null,
        sipUsername: null,
        authUsername: null,
        sipPasswordEnc: null,
        registrationEnabled: true,
        registrationState: 'pending',
        registrationDetail: {},
        externalId: null,
      });
      const edge = (await startEdgeRole(app.ctx))!;
      stops.push(() => edge.stop());
      const teams = await TeamsSipEmulator.start({
        host: '127.0.0.1',
        ...pki.microsoft,
        caFile: pki.caFile,
        directory: staticDirectory({}, []),
        sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: edge.port }),
      });
      stops.push(() => teams.stop());
      const host = carrierNamesOf(service.id, 'sbc.test').domain;
      const known = teams.callFromTeams('+441235100001', '+4930111', host); // Adele calls out
      const unknown = teams.callFromTeams('+441235100009', '+4930111', host);
      for (let i = 0; i < 100 && (known.status === undefined || unknown.status === undefined); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect([known.status, unknown.status]).toEqual([480, 404]);
      expect(app.logLines.join('')).toContain('unknown-number');
    } finally {
      for (const stop of stops.reverse()) await stop();
    }
  });
});
