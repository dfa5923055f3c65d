/**
 * Runs the emulator with one generated tenant in its own process, so the benchmark measures the client's memory
 * apart from the emulator's. Prints one JSON line `{url, teamsAdminUrl, tenantId}` when ready; stops on SIGTERM.
 * Usage: node --import tsx bench/graph/emulator.child.ts <users> <faults-json>
 */
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator } from '../../src/emulator/emulator.server.js';
import { FaultState, type FaultConfigInput } from '../../src/emulator/fault.injector.js';
import { generatedTenantId, largeTenantSeed } from '../../src/emulator/large-tenant.generator.js';

const users = Number(process.argv[2] ?? 100_000);
const faults = JSON.parse(process.argv[3] ?? '{}') as FaultConfigInput;
const tenantId = generatedTenantId(1);
const started = performance.now();
const emulator = await startEmulator({
  seed: {
    apps: [{ clientId: DEMO_CLIENT_ID, secrets: [DEMO_CLIENT_SECRET] }],
    tenants: [largeTenantSeed(users, tenantId, [DEMO_CLIENT_ID])],
  },
});
emulator.tenants.get(tenantId)!.faults = new FaultState(faults);
const seedMs = Math.round(performance.now() - started);
process.stdout.write(
  `${JSON.stringify({ url: emulator.url, teamsAdminUrl: emulator.teamsAdminUrl, tenantId, seedMs })}\n`,
);
process.on('SIGTERM', () => {
  const tenant = emulator.tenants.get(tenantId)!;
  process.stdout.write(
    `${JSON.stringify({ injected: tenant.faults?.injected, rssMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`,
  );
  void emulator.close().then(() => process.exit(0));
});
