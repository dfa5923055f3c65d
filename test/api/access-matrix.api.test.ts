import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, ROLES, type Permission, type Role } from '../../src/domain/access.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Ids of one client account's objects, used to fill route templates. */
interface Objects {
  partnerId: string;
  accountId: string;
  serviceId: string;
  userId: string;
  subscriptionId: string;
  runId: string;
}

interface RouteCase {
  /**
   * The permission the route needs, on `on` (default: the client account); 'signed-in' needs none; 'operator':
   * platform operators only (installation-wide views such as the Teams edge), so every account role is refused.
   */
  permission: Permission | 'signed-in' | 'public' | 'operator' | 'teams-sso';
  on?: 'partner';
  body?: (o: Objects) => unknown;
  query?: (o: Objects, t: TestApp) => string;
  /** The URL's account is the partner (reports over its clients). */
  partnerUrl?: boolean;
  /** Fresh path parameters for routes that use an object up (revocations). */
  prepare?: (o: Objects, t: TestApp) => Promise<Record<string, string>>;
  contentType?: string;
}

let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique += 1)}`;

/** A trunk service of the account with one fresh range and one fresh service number (numbers never overlap). */
async function trunkObjects(o: Objects, t: TestApp): Promise<Record<string, string>> {
  const n = (unique += 1);
  const trunk = await t.ctx.services.voiceServices.create(system, o.accountId, {
    kind: 'trunk',
    name: `Trunk ${next()}`,
    sipDomain: 'trunk.a.example',
    country: 'GB',
  });
  const base = 442079460000 + n * 10;
  const range = await t.ctx.services.numberRanges.add(system, o.accountId, trunk.id, {
    start: `+${base}`,
    end: `+${base + 4}`,
  });
  const serviceNumber = await t.ctx.services.serviceNumbers.add(system, o.accountId, trunk.id, {
    number: `+${base + 9}`,
    label: 'Main number',
  });
  return { serviceId: trunk.id, rangeId: range.id, serviceNumberId: serviceNumber.id };
}

/** A trunk service (as `trunkObjects`) whose SIP trunk is configured (issue 19). */
async function configuredTrunk(o: Objects, t: TestApp): Promise<Record<string, string>> {
  const ids = await trunkObjects(o, t);
  await t.ctx.services.trunkSettings.put(system, o.accountId, ids.serviceId!, {
    kind: 'ip',
    domain: 'sip.carrier.example',
  });
  return ids;
}

/** A fresh webhook subscription to alerts of the account (deleted by some cases). */
async function alertSubscription(o: Objects, t: TestApp): Promise<Record<string, string>> {
  const created = await t.ctx.services.alertSubscriptions.create(system, o.accountId, {
    channel: 'webhook',
    name: `Hook ${next()}`,
    url: 'https://hooks.example.com/callbridge',
    secret: 'a-secret-of-some-length',
  });
  return { alertSubscriptionId: created.id };
}

const testCalls = new WeakMap<TestApp, Map<string, string>>();

/**
 * A finished test call of the user (once per app and user, since test calls are rate-limited per account). No sip
 * role runs here: the placer ends the call at once, as a call the SIP role could not place; the matrix checks only
 * who may read it (test/api/test-call.api.test.ts places real ones).
 */
async function finishedTestCall(o: Objects, t: TestApp): Promise<Record<string, string>> {
  const known = testCalls.get(t) ?? new Map<string, string>();
  testCalls.set(t, known);
  let id = known.get(o.userId);
  if (!id) {
    // As the SIP role reports a registration: a test call rings only a registered user.
    await t.ctx.store.repos.users.recordRegistrationState(o.userId, 'registered', {});
    const previous = t.ctx.services.testCalls.placer;
    t.ctx.services.testCalls.placer = {
      place: () => ({
        sipCallId: 'matrix',
        done: Promise.resolve({ phase: 'ended', result: 'failed', reason: 'not placed' }),
      }),
    };
    id = (await t.ctx.services.testCalls.start(system, o.accountId, o.userId)).id;
    t.ctx.services.testCalls.placer = previous;
    known.set(o.userId, id);
  }
  return { testCallId: id };
}

/** A failed call of the account with its ladder, recorded through the real recorder. */
/** A well-formed call id for the Phone App tab's call routes (which answer 401 before looking it up). */
function aCallId(): Promise<Record<string, string>> {
  return Promise.resolve({ callId: '00000000-0000-4000-8000-0000000ca11d' });
}

async function recordedCall(o: Objects, t: TestApp): Promise<Record<string, string>> {
  const id = `matrix-call-${next()}`;
  const at = new Date().toISOString();
  t.ctx.calls.recorder.ended({
    id,
    accountId: o.accountId,
    serviceId: o.serviceId,
    userId: o.userId,
    direction: 'pbx-to-teams',
    from: '201',
    to: '+442079460001',
    startedAt: at,
    endedAt: at,
    result: 'failed',
    legs: [{ side: 'teams', sipCallId: id, finalStatus: 404 }],
    ladder: [
      { at, leg: 'teams', direction: 'in', summary: 'SIP/2.0 404 Not Found', text: 'SIP/2.0 404 Not Found' },
    ],
  });
  await t.ctx.calls.recorder.flush();
  return { callId: id };
}

/**
 * The one matrix of the API: every route of the OpenAPI document must be here (a new route without an entry
 * fails the test), with the permission it needs. What each role may do comes from `src/domain/access.ts`.
 */
const ROUTES: Record<string, RouteCase> = {
  'GET /api/v1/accounts': { permission: 'signed-in' },
  'GET /api/v1/teams-edge': { permission: 'operator' },
  'POST /api/v1/accounts': {
    permission: 'account.manage',
    on: 'partner',
    body: (o) => ({ name: `Client ${next()}`, kind: 'client', parentId: o.partnerId }),
  },
  'GET /api/v1/accounts/{accountId}': { permission: 'account.read' },
  'PATCH /api/v1/accounts/{accountId}': { permission: 'account.manage', body: () => ({ name: 'Client A' }) },
  'GET /api/v1/accounts/{accountId}/access': { permission: 'account.read' },
  'GET /api/v1/accounts/{accountId}/roles': { permission: 'access.manage' },
  'POST /api/v1/accounts/{accountId}/roles': {
    permission: 'access.manage',
    body: () => ({ email: 'viewer@a.test', role: 'subscription_viewer' }),
  },
  'DELETE /api/v1/accounts/{accountId}/roles/{administratorId}/{role}': {
    permission: 'access.manage',
    prepare: async (o, t) => {
      const email = `granted-${next()}@a.test`;
      const admin = await t.ctx.services.administrators.create(system, {
        email,
        password: 'long enough password',
      });
      await t.ctx.services.administrators.grantRole(system, o.accountId, email, 'subscription_viewer');
      return { administratorId: admin.id, role: 'subscription_viewer' };
    },
  },
  'GET /api/v1/accounts/{accountId}/invitations': { permission: 'access.manage' },
  'POST /api/v1/accounts/{accountId}/invitations': {
    permission: 'access.manage',
    body: () => ({ email: `invitee-${next()}@a.test`, role: 'subscription_viewer' }),
  },
  'DELETE /api/v1/accounts/{accountId}/invitations/{invitationId}': {
    permission: 'access.manage',
    prepare: async (o, t) => {
      const { invitation } = await t.ctx.services.invitations.invite(system, o.accountId, {
        email: `invitee-${next()}@a.test`,
        role: 'subscription_viewer',
      });
      return { invitationId: invitation.id };
    },
  },
  'GET /api/v1/accounts/{accountId}/audit': { permission: 'audit.read' },
  'GET /api/v1/accounts/{accountId}/audit/export': { permission: 'audit.read' },
  'GET /api/v1/accounts/{accountId}/brand': { permission: 'brand.read' },
  'PUT /api/v1/accounts/{accountId}/brand': {
    permission: 'brand.write',
    body: () => ({ productName: 'Contoso Voice', primaryColor: '#1a73e8' }),
  },
  'GET /api/v1/accounts/{accountId}/phone-app/teams-app-package': {
    permission: 'brand.read',
    on: 'partner',
    partnerUrl: true,
  },
  // The Phone App tab's routes take a Teams SSO token only: every administrator credential is refused (401).
  'GET /api/v1/phone-app/me': { permission: 'teams-sso' },
  'GET /api/v1/phone-app/directory': { permission: 'teams-sso' },
  'GET /api/v1/phone-app/contacts': { permission: 'teams-sso' },
  'POST /api/v1/phone-app/calls': { permission: 'teams-sso', body: () => ({ number: '+442079460123' }) },
  'GET /api/v1/phone-app/calls': { permission: 'teams-sso' },
  'GET /api/v1/phone-app/calls/{callId}': { permission: 'teams-sso', prepare: aCallId },
  'DELETE /api/v1/phone-app/calls/{callId}': { permission: 'teams-sso', prepare: aCallId },
  'GET /api/v1/tokens': { permission: 'signed-in' },
  'POST /api/v1/tokens': { permission: 'signed-in', body: () => ({ name: 'script' }) },
  'DELETE /api/v1/tokens/{tokenId}': { permission: 'signed-in' },
  'GET /api/v1/accounts/{accountId}/services': { permission: 'service.list' },
  'POST /api/v1/accounts/{accountId}/services': {
    permission: 'service.write',
    body: () => ({ name: `PBX ${next()}`, sipDomain: 'pbx.a.example', country: 'GB' }),
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}': { permission: 'service.read' },
  'PATCH /api/v1/accounts/{accountId}/services/{serviceId}': {
    permission: 'service.write',
    body: () => ({ registrationExpiry: 600 }),
  },
  'GET /api/v1/accounts/{accountId}/users': { permission: 'service.read' },
  'POST /api/v1/accounts/{accountId}/users': {
    permission: 'service.write',
    body: (o) => ({ serviceId: o.serviceId, email: `u-${next()}@a.test`, displayName: 'New User' }),
  },
  'GET /api/v1/accounts/{accountId}/users/{userId}': { permission: 'service.read' },
  'PATCH /api/v1/accounts/{accountId}/users/{userId}': {
    permission: 'service.write',
    body: () => ({ displayName: 'Renamed' }),
  },
  'DELETE /api/v1/accounts/{accountId}/users/{userId}': {
    permission: 'service.write',
    prepare: async (o, t) => {
      const user = await t.ctx.services.users.create(system, o.accountId, {
        serviceId: o.serviceId,
        email: `deleted-${next()}@a.test`,
        displayName: 'To Delete',
      });
      return { userId: user.id };
    },
  },
  // The matrix user is not failed: an allowed caller gets 409 (nothing to retry), a refused one 403/404.
  'POST /api/v1/accounts/{accountId}/users/{userId}/registration/retry': { permission: 'service.write' },
  // No sip role in the test app: an allowed caller gets 503 calls_unavailable (or 429 once rate-limited).
  'POST /api/v1/accounts/{accountId}/users/{userId}/test-call': { permission: 'service.write' },
  'GET /api/v1/accounts/{accountId}/users/{userId}/test-calls/{testCallId}': {
    permission: 'service.read',
    prepare: finishedTestCall,
  },
  'GET /api/v1/accounts/{accountId}/subscriptions': { permission: 'subscription.read' },
  'GET /api/v1/accounts/{accountId}/licences': { permission: 'licence.read' },
  'POST /api/v1/accounts/{accountId}/subscriptions': {
    permission: 'subscription.manage',
    body: () => ({ sku: 'pbx_user', quantity: 1 }),
  },
  'PATCH /api/v1/accounts/{accountId}/subscriptions/{subscriptionId}': {
    permission: 'subscription.manage',
    body: () => ({ quantity: 10 }),
  },
  'POST /api/v1/accounts/{accountId}/services/{serviceId}/import': {
    permission: 'service.write',
    query: () => '?dryRun=true',
    contentType: 'text/csv',
    body: () => 'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId\n',
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/export': { permission: 'service.read' },
  'GET /api/v1/accounts/{accountId}/tenant-connection': { permission: 'service.read' },
  'PUT /api/v1/accounts/{accountId}/tenant-connection': {
    permission: 'service.write',
    body: () => ({ cloud: 'global', clientId: '11111111-2222-3333-4444-555555555555' }),
  },
  'GET /api/v1/consent/callback': {
    permission: 'public',
    // Public, and bound by its single-use state alone: an unknown state is refused the same for everyone.
    query: () => '?admin_consent=True&tenant=0b7f6a52-5d11-4c53-9a0f-4b2d2a0b0d77&state=not-started-here',
  },
  'POST /api/v1/accounts/{accountId}/services/{serviceId}/sync': {
    permission: 'sync.run',
    body: () => ({ dryRun: true }),
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/sync': { permission: 'sync.read' },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/sync/runs': { permission: 'sync.read' },
  'GET /api/v1/accounts/{accountId}/sync-runs/{runId}': { permission: 'sync.read' },
  // Rolling back needs the permission of what it undoes; the matrix's run is a dry run (412: nothing to undo).
  'POST /api/v1/accounts/{accountId}/sync-runs/{runId}/rollback': {
    permission: 'sync.run',
    body: () => ({ dryRun: true }),
  },
  'GET /api/v1/accounts/{accountId}/imports': { permission: 'service.read' },
  'POST /api/v1/accounts/{accountId}/imports/{importId}/rollback': {
    permission: 'service.write',
    body: () => ({ dryRun: true }),
    prepare: async (o, t) => {
      const csv = `SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId\n,First User,first@example.test,,,,ext-${next()}\n`;
      const result = await t.ctx.services.userImport.import(system, o.accountId, o.serviceId, csv, {
        dryRun: false,
      });
      return { importId: result.importId ?? 'no-import' };
    },
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/number-ranges': {
    permission: 'service.read',
    prepare: trunkObjects,
  },
  'POST /api/v1/accounts/{accountId}/services/{serviceId}/number-ranges': {
    permission: 'service.write',
    prepare: trunkObjects,
    body: () => ({ start: `+44207946${String(9000 + (unique += 1)).padStart(5, '0')}` }),
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/number-ranges/next-free': {
    permission: 'service.read',
    prepare: trunkObjects,
  },
  'GET /api/v1/accounts/{accountId}/number-ranges/{rangeId}': {
    permission: 'service.read',
    prepare: trunkObjects,
  },
  'DELETE /api/v1/accounts/{accountId}/number-ranges/{rangeId}': {
    permission: 'service.write',
    prepare: trunkObjects,
  },
  'GET /api/v1/accounts/{accountId}/number-ranges/{rangeId}/next-free': {
    permission: 'service.read',
    prepare: trunkObjects,
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/service-numbers': {
    permission: 'service.read',
    prepare: trunkObjects,
  },
  'POST /api/v1/accounts/{accountId}/services/{serviceId}/service-numbers': {
    permission: 'service.write',
    prepare: trunkObjects,
    body: () => ({ number: `+44207946${String(8000 + (unique += 1)).padStart(5, '0')}`, label: 'Sales' }),
  },
  'DELETE /api/v1/accounts/{accountId}/service-numbers/{serviceNumberId}': {
    permission: 'service.write',
    prepare: trunkObjects,
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/trunk': {
    permission: 'service.read',
    prepare: configuredTrunk,
  },
  'PUT /api/v1/accounts/{accountId}/services/{serviceId}/trunk': {
    permission: 'service.write',
    prepare: trunkObjects,
    body: () => ({ kind: 'ip', domain: 'sip.carrier.example', addresses: [{ host: '192.0.2.10' }] }),
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/phone-app': { permission: 'service.read' },
  'PATCH /api/v1/accounts/{accountId}/services/{serviceId}/teams-settings': {
    permission: 'service.write',
    body: () => ({ largeTenantMode: false }),
  },
  'POST /api/v1/accounts/{accountId}/services/{serviceId}/phone-app/authorize': {
    permission: 'service.write',
  },
  'GET /api/v1/accounts/{accountId}/services/{serviceId}/phone-app/checks': { permission: 'service.read' },
  'GET /api/v1/accounts/{accountId}/shared-numbers': {
    permission: 'service.read',
    on: 'partner',
    partnerUrl: true,
  },
  'GET /api/v1/accounts/{accountId}/calls': { permission: 'service.read' },
  'GET /api/v1/accounts/{accountId}/calls/export': { permission: 'service.read' },
  'GET /api/v1/accounts/{accountId}/calls/{callId}': { permission: 'service.read', prepare: recordedCall },
  'GET /api/v1/accounts/{accountId}/calls/{callId}/ladder': {
    permission: 'service.read',
    prepare: recordedCall,
  },
  'GET /api/v1/accounts/{accountId}/calls/{callId}/ladder/text': {
    permission: 'service.read',
    prepare: recordedCall,
  },
  'GET /api/v1/accounts/{accountId}/users/{userId}/capture': { permission: 'service.read' },
  'PUT /api/v1/accounts/{accountId}/users/{userId}/capture': {
    permission: 'service.write',
    body: () => ({ calls: 3 }),
  },
  'DELETE /api/v1/accounts/{accountId}/users/{userId}/capture': { permission: 'service.write' },
  'GET /api/v1/accounts/{accountId}/live-calls': { permission: 'service.read' },
  'GET /api/v1/live-calls': { permission: 'signed-in' },
  'DELETE /api/v1/live-calls/{callId}': { permission: 'operator' },
  'GET /api/v1/accounts/{accountId}/alerts': { permission: 'service.read' },
  'GET /api/v1/accounts/{accountId}/alert-subscriptions': { permission: 'service.read' },
  'POST /api/v1/accounts/{accountId}/alert-subscriptions': {
    permission: 'service.write',
    body: () => ({ channel: 'email', name: `Mail ${next()}`, email: 'noc@example.com' }),
  },
  'PATCH /api/v1/accounts/{accountId}/alert-subscriptions/{alertSubscriptionId}': {
    permission: 'service.write',
    prepare: alertSubscription,
    body: () => ({ enabled: false }),
  },
  'DELETE /api/v1/accounts/{accountId}/alert-subscriptions/{alertSubscriptionId}': {
    permission: 'service.write',
    prepare: alertSubscription,
  },
  'GET /api/v1/accounts/{accountId}/alert-subscriptions/{alertSubscriptionId}/deliveries': {
    permission: 'service.read',
    prepare: alertSubscription,
  },
  'POST /api/v1/accounts/{accountId}/alert-subscriptions/{alertSubscriptionId}/test': {
    permission: 'service.write',
    prepare: alertSubscription,
  },
  // Every role sees the health page; its parts the role may not see are null (health-overview.api.test.ts).
  'GET /api/v1/accounts/{accountId}/health': { permission: 'account.read' },
  'GET /api/v1/accounts/{accountId}/client-health': {
    permission: 'service.read',
    on: 'partner',
    partnerUrl: true,
  },
};

describe.each(DIALECTS)('access on %s: every route, every role, every tenancy', (dialect) => {
  let t: TestApp;
  let a: Objects;
  let b: Objects;
  const tokens = new Map<string, { token: string; email: string }>();

  async function clientObjects(partnerId: string, name: string): Promise<Objects> {
    const { services } = t.ctx;
    const account = await services.accounts.create(system, { name, kind: 'client', parentId: partnerId });
    const service = await services.voiceServices.create(system, account.id, {
      name: 'PBX',
      sipDomain: 'pbx.example',
      country: 'GB',
    });
    const user = await services.users.create(system, account.id, {
      serviceId: service.id,
      email: 'first@example.test',
      displayName: 'First User',
    });
    const subscription = await services.subscriptions.create(system, account.id, {
      sku: 'pbx_user',
      quantity: 5,
    });
    await services.tenantConnections.connect(
      system,
      account.id,
      { cloud: 'global', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'app secret value' },
      'http://localhost/api/v1/consent/callback',
    );
    const { run } = await services.sync.start(system, account.id, service.id, { dryRun: true });
    return {
      partnerId,
      accountId: account.id,
      serviceId: service.id,
      userId: user.id,
      subscriptionId: subscription.id,
      runId: run.id,
    };
  }

  /** An administrator holding one role on one account, with an API token. */
  async function holder(role: Role, accountId: string): Promise<string> {
    const key = `${role}@${accountId}`;
    const known = tokens.get(key);
    if (known) return known.token;
    const email = `${role.replace(/_/g, '-')}-${next()}@holders.test`;
    await t.ctx.services.administrators.create(system, { email, password: 'long enough password' });
    await t.ctx.services.administrators.grantRole(system, accountId, email, role);
    const { token } = await t.ctx.services.administrators.createToken(system, email, 'matrix');
    tokens.set(key, { token, email });
    return token;
  }

  async function request(routeKey: string, token: string | undefined, objects: Objects) {
    const [method, template] = routeKey.split(' ') as [Method, string];
    const route = ROUTES[routeKey]!;
    let params: Record<string, string> = {
      ...objects,
      ...(route.partnerUrl && { accountId: objects.partnerId }),
      tokenId: '00000000-0000-4000-8000-000000000000',
    };
    if (route.prepare) params = { ...params, ...(await route.prepare(objects, t)) };
    if (routeKey === 'DELETE /api/v1/tokens/{tokenId}' && token) {
      const own = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${token}` },
        payload: { name: 'to revoke' },
      });
      params.tokenId = own.json<{ id: string }>().id;
    }
    const url =
      template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `missing-${name}`) +
      (route.query?.(objects, t) ?? '');
    const body = route.body?.(objects);
    return t.app.inject({
      method,
      url,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(route.contentType && { 'content-type': route.contentType }),
      },
      ...(body !== undefined && { payload: body as string }),
    });
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const partner = await t.ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    a = await clientObjects(partner.id, 'Client A');
    b = await clientObjects(partner.id, 'Client B');
    await t.ctx.services.administrators.create(system, {
      email: 'viewer@a.test',
      password: 'long enough password',
    });
  }, 60_000);
  afterAll(() => t.close());

  it('has a matrix entry for every route the API documents, and no stale ones', async () => {
    const document = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(Object.keys(ROUTES).sort());
  });

  it('refuses every route without a credential (401)', async () => {
    for (const key of Object.keys(ROUTES).filter((k) => ROUTES[k]!.permission !== 'public')) {
      const response = await request(key, undefined, a);
      expect({ key, status: response.statusCode }).toEqual({ key, status: 401 });
    }
  });

  for (const heldOn of ['client', 'partner'] as const) {
    it(`allows or refuses each role (held on the ${heldOn}) exactly as the matrix says`, async () => {
      const outcomes: string[] = [];
      for (const role of ROLES) {
        const holdAt = heldOn === 'client' ? a.accountId : a.partnerId;
        const token = await holder(role, holdAt);
        for (const [key, route] of Object.entries(ROUTES)) {
          const target = route.on === 'partner' ? [a.partnerId] : [a.accountId, a.partnerId];
          const expected =
            route.permission === 'signed-in' || route.permission === 'public'
              ? 'allowed'
              : route.permission === 'operator'
                ? 'forbidden'
                : route.permission === 'teams-sso'
                  ? 'not a Teams SSO token'
                  : decide([{ accountId: holdAt, role }], target, route.permission);
          const response = await request(key, token, a);
          const status = response.statusCode;
          const actual =
            status === 404 && response.json<{ details?: { kind?: string } }>().details?.kind === 'account'
              ? 'invisible'
              : status === 403
                ? 'forbidden'
                : status === 401 && route.permission === 'teams-sso'
                  ? 'not a Teams SSO token'
                  : status === 401 || status === 404
                    ? `unexpected ${status}`
                    : 'allowed';
          outcomes.push(`${role} ${key}: ${actual}`);
          expect(`${role} ${key}: ${actual} (${status} ${response.body.slice(0, 160)})`).toBe(
            `${role} ${key}: ${expected} (${status} ${response.body.slice(0, 160)})`,
          );
        }
      }
      // The matrix is not trivially one-sided: some of each outcome occur.
      expect(outcomes.some((o) => o.endsWith(': allowed'))).toBe(true);
      expect(outcomes.some((o) => o.endsWith(': forbidden'))).toBe(true);
    }, 120_000);
  }

  it('shows an administrator of client A nothing of client B: every route answers as for an unknown id', async () => {
    const owner = await holder('account_owner', a.accountId);
    const unknown: Objects = {
      partnerId: a.partnerId,
      accountId: '7a1c0c1e-0000-4000-8000-000000000001',
      serviceId: '7a1c0c1e-0000-4000-8000-000000000002',
      userId: '7a1c0c1e-0000-4000-8000-000000000003',
      subscriptionId: '7a1c0c1e-0000-4000-8000-000000000004',
      runId: '7a1c0c1e-0000-4000-8000-000000000005',
    };
    const normalise = (text: string, o: Objects) =>
      Object.entries(o).reduce((s, [name, id]) => s.split(id).join(`<${name}>`), text);
    for (const key of Object.keys(ROUTES).filter((k) => k.includes('{accountId}') && !ROUTES[k]!.prepare)) {
      const foreign = await request(key, owner, b);
      const missing = await request(key, owner, unknown);
      expect({ key, status: foreign.statusCode }).toEqual({ key, status: 404 });
      expect({ key, body: normalise(foreign.body, b) }).toEqual({
        key,
        body: normalise(missing.body, unknown),
      });
    }
    // B's objects addressed through A's own account id look missing too.
    for (const [path, id] of [
      [`/api/v1/accounts/${a.accountId}/users/${b.userId}`, b.userId],
      [`/api/v1/accounts/${a.accountId}/services/${b.serviceId}`, b.serviceId],
      [`/api/v1/accounts/${a.accountId}/sync-runs/${b.runId}`, b.runId],
    ] as const) {
      const response = await t.app.inject({ url: path, headers: { authorization: `Bearer ${owner}` } });
      expect(response.statusCode).toBe(404);
      expect(response.json<{ message: string }>().message).toContain(id);
    }
    // The account list shows A only, never B or the partner.
    const list = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${owner}` },
    });
    expect(list.json<{ items: { id: string }[] }>().items.map((x) => x.id)).toEqual([a.accountId]);
  });

  it('lets partner administrators see and manage their clients, and only partners change what costs money', async () => {
    const partnerOwner = await holder('account_owner', a.partnerId);
    const list = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${partnerOwner}` },
    });
    expect(list.json<{ items: { id: string }[] }>().items.map((x) => x.id)).toEqual(
      expect.arrayContaining([a.partnerId, a.accountId, b.accountId]),
    );
    const raise = (token: string) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/accounts/${a.accountId}/subscriptions/${a.subscriptionId}`,
        headers: { authorization: `Bearer ${token}` },
        payload: { quantity: 50 },
      });
    expect((await raise(partnerOwner)).json()).toMatchObject({ quantity: 50 });
    const clientOwner = await holder('account_owner', a.accountId);
    const refused = await raise(clientOwner);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ message: string }>().message).toContain('financial effect');
    // A client owner may not suspend its own account either: that is the partner's call.
    const suspend = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${a.accountId}`,
      headers: { authorization: `Bearer ${clientOwner}` },
      payload: { status: 'suspended' },
    });
    expect(suspend.statusCode).toBe(403);
  });

  it('limits a scoped token to its role even when its owner holds more', async () => {
    const email = `scoped-${next()}@a.test`;
    await t.ctx.services.administrators.create(system, { email, password: 'long enough password' });
    await t.ctx.services.administrators.grantRole(system, a.accountId, email, 'account_owner');
    const { token } = await t.ctx.services.administrators.createToken(system, email, 'ci', null, {
      accountId: a.accountId,
      role: 'sync_contributor',
    });
    const headers = { authorization: `Bearer ${token}` };
    const sync = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${a.accountId}/services/${a.serviceId}/sync`,
      headers,
      payload: { dryRun: true },
    });
    expect(sync.statusCode).toBeLessThan(300);
    const change = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${a.accountId}/users/${a.userId}`,
      headers,
      payload: { displayName: 'Nope' },
    });
    expect(change.statusCode).toBe(403);
    const unscoped = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'escalate' },
    });
    expect(unscoped.statusCode).toBe(403);
  });
});
