import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import type { DiagnosticExchange } from '../../src/microsoft/diagnostics.js';
import { GraphError, MicrosoftUnreachableError } from '../../src/microsoft/graph.error.js';
import { collect, demoClient, setFaults, startDemoEmulator } from './support/emulator.fixture.js';

let emulator: RunningEmulator;
beforeEach(async () => {
  emulator = await startDemoEmulator();
});
afterEach(() => emulator.close());

type Retry = { url: string; status: number | null; delayMs: number; attempt: number };

function observedClient(options: Parameters<typeof demoClient>[1] = {}) {
  const retries: Retry[] = [];
  const exchanges: DiagnosticExchange[] = [];
  const client = demoClient(emulator, {
    onRetry: (r) => retries.push(r),
    onExchange: (e) => exchanges.push(e),
    ...options,
  });
  return { client, retries, exchanges };
}

const tenant = () => [...emulator.tenants.values()][0]!;

describe('fault injection and retries', () => {
  it('waits out 429 Retry-After (decimal seconds) before retrying', async () => {
    await setFaults(emulator, {
      script: [{ kind: 'throttle', count: 2 }],
      retryAfterSeconds: 0.2,
      pathPattern: '^/v1\\.0/subscribedSkus',
    });
    const { client, retries, exchanges } = observedClient();
    const started = performance.now();
    const skus = await client.listSubscribedSkus();
    const elapsed = performance.now() - started;
    expect(skus).toHaveLength(5);
    expect(retries.map((r) => [r.status, r.delayMs])).toEqual([
      [429, 200],
      [429, 200],
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    const throttled = exchanges.filter((e) => e.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]!.responseBody).toContain('"code":"TooManyRequests"');
  });

  it('waits out 503 Retry-After, and backs off exponentially on 504 without Retry-After', async () => {
    await setFaults(emulator, {
      script: [{ kind: 'unavailable' }, { kind: 'gatewayTimeout', count: 2 }],
      retryAfterSeconds: 0.25,
      pathPattern: 'TenantFederationSettings',
    });
    const { client, retries } = observedClient({ retry: { baseDelayMs: 40, maxDelayMs: 1_000 } });
    const started = performance.now();
    await client.getFederationSettings();
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(retries.map((r) => r.status)).toEqual([503, 504, 504]);
    expect(retries[0]!.delayMs).toBe(250);
    // Attempt n waits within [base*2^(n-1)/2, base*2^(n-1)] (jitter): attempts 2 and 3 here.
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(40);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(80);
    expect(retries[2]!.delayMs).toBeGreaterThanOrEqual(80);
    expect(retries[2]!.delayMs).toBeLessThanOrEqual(160);
  });

  it('retries a read after a dropped connection', async () => {
    await setFaults(emulator, { script: [{ kind: 'drop' }], pathPattern: '^/v1\\.0/users' });
    const { client, retries, exchanges } = observedClient();
    const { items } = await collect(client.listUsers());
    expect(items).toHaveLength(50);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.status).toBeNull();
    expect(exchanges.find((e) => e.status === null)?.error).toBeTruthy();
    expect(tenant().faults!.injected.drop).toBe(1);
  });

  it('gives up on a dropped write instead of repeating it blindly', async () => {
    await setFaults(emulator, { script: [{ kind: 'drop' }], pathPattern: '/\\$batch$' });
    const { client, retries } = observedClient();
    const error = await client.installTeamsApp([demoUserId(1)], 'app').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MicrosoftUnreachableError);
    expect(retries).toHaveLength(0);
    expect(tenant().users.get(demoUserId(1))!.installedApps).toEqual([]);
  });

  it('waits for slow answers', async () => {
    await setFaults(emulator, { script: [{ kind: 'slow' }], slowMs: 300, pathPattern: 'OnlinePstnUsages' });
    const { client } = observedClient();
    const started = performance.now();
    await client.ensurePstnUsage('Callbridge');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('throttles on resource units per app and tenant with Microsoft headers, and the client catches up', async () => {
    // 50 users in pages of 5 cost 2 units each; a window of 8 units per 300 ms forces throttling.
    await setFaults(emulator, { resourceUnits: { limit: 8, windowMs: 300 } });
    const { client, retries, exchanges } = observedClient();
    const { items } = await collect(client.listUsers({ pageSize: 5 }));
    expect(items).toHaveLength(50);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (const retry of retries) {
      expect(retry.status).toBe(429);
      expect(retry.delayMs).toBeGreaterThan(0);
      expect(retry.delayMs).toBeLessThanOrEqual(300);
    }
    expect(exchanges.filter((e) => e.status === 429).length).toBe(retries.length);
    const response = await fetch(`${emulator.url}/_emulator/tenants/${tenant().id}`);
    const summary = (await response.json()) as { faults: { injected: { throttle: number } } };
    expect(summary.faults.injected.throttle).toBe(retries.length);
  });

  it('sends Microsoft throttling headers on a 429', async () => {
    await setFaults(emulator, { resourceUnits: { limit: 1, windowMs: 60_000 } });
    const { client } = observedClient({ retry: { maxAttempts: 1 } });
    const error = (await client.listSubscribedSkus().catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.graphCode).toBe('TooManyRequests');
    expect(error.httpStatus).toBe(429);
    expect(error.code).toBe('rate_limited');
  });

  it('retries only the throttled requests inside a $batch, each after its own Retry-After', async () => {
    await setFaults(emulator, {
      script: [{ kind: 'throttle', count: 3 }],
      retryAfterSeconds: 0.2,
      pathPattern: '/admin/teams/userConfigurations/',
    });
    const { client, exchanges } = observedClient();
    const ids = Array.from({ length: 20 }, (_, i) => demoUserId(i + 1));
    const started = performance.now();
    const configs = await client.getTeamsUserConfigurations(ids);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect([...configs.values()].every((c) => c !== null)).toBe(true);
    const batches = exchanges.filter((e) => e.url.endsWith('/$batch'));
    expect(batches).toHaveLength(2);
    // The second batch carries only the three throttled requests.
    expect((JSON.parse(batches[1]!.requestBody!) as { requests: unknown[] }).requests).toHaveLength(3);
  });

  it('surfaces exhausted retries as a typed error keeping Microsoft’s code', async () => {
    await setFaults(emulator, { script: [{ kind: 'unavailable', count: 5 }], retryAfterSeconds: 0.01 });
    const { client, retries } = observedClient({ retry: { maxAttempts: 3 } });
    const error = (await client.getTenantCoexistenceMode().catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.graphCode).toBe('serviceNotAvailable');
    expect(error.message).toBe('Service is unavailable. Please try again');
    expect(retries).toHaveLength(2);
  });

  it('injects faults at a given rate, reproducibly, and a read still completes', async () => {
    await setFaults(emulator, {
      rates: { throttle: 0.2, unavailable: 0.1, drop: 0.05 },
      retryAfterSeconds: 0.01,
      randomSeed: 7,
    });
    const { client, retries } = observedClient({ retry: { maxAttempts: 10, baseDelayMs: 5 } });
    const { items } = await collect(client.listTeamsUserConfigurations({ pageSize: 2 }));
    expect(items).toHaveLength(50);
    const injected = tenant().faults!.injected;
    expect(injected.throttle + injected.unavailable + injected.drop).toBe(retries.length);
    expect(retries.length).toBeGreaterThan(3);
  });
});
