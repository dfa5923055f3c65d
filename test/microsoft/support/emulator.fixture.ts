import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
} from '../../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.server.js';
import type { FaultConfigInput } from '../../../src/emulator/fault.injector.js';
import type { SeedFileInput } from '../../../src/emulator/seed.schema.js';
import {
  GraphTenantClient,
  type GraphTenantClientOptions,
} from '../../../src/microsoft/graph-tenant.client.js';
import type { ConnectionSettingsInput } from '../../../src/microsoft/connection.settings.js';

/** Connection settings of the demo app against a running emulator. */
export function demoConnection(emulator: RunningEmulator, overrides: Partial<ConnectionSettingsInput> = {}) {
  return {
    tenantId: DEMO_TENANT_ID,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    cloud: 'custom' as const,
    authorityHost: emulator.url,
    graphBaseUrl: emulator.url,
    teamsAdminBaseUrl: emulator.teamsAdminUrl,
    ...overrides,
  };
}

/** A client of the demo tenant with fast polling (tests must stay quick). */
export function demoClient(
  emulator: RunningEmulator,
  options: GraphTenantClientOptions = {},
  overrides = {},
) {
  return new GraphTenantClient(demoConnection(emulator, overrides), {
    operationPolling: { intervalMs: 50 },
    retry: { baseDelayMs: 20, maxDelayMs: 2_000 },
    ...options,
  });
}

/** Start an emulator on a random loopback port with the demo seed (or another). */
export function startDemoEmulator(seed: SeedFileInput = demoSeed()): Promise<RunningEmulator> {
  return startEmulator({ seed, port: 0 });
}

/** Configure faults through the emulator's admin endpoint, over HTTP as an operator would. */
export async function setFaults(
  emulator: RunningEmulator,
  faults: FaultConfigInput,
  tenantId = DEMO_TENANT_ID,
) {
  const response = await fetch(`${emulator.url}/_emulator/tenants/${tenantId}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`setting faults failed: ${response.status} ${await response.text()}`);
}

/** Call the emulator's admin endpoint. */
export async function admin(emulator: RunningEmulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 400)
    throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Drain an async iterable of pages into one list. */
export async function collect<T>(pages: AsyncIterable<T[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    items.push(...page);
    count++;
  }
  return { items, pages: count };
}
