/**
 * The Microsoft 365 emulator, for the demo, the tests and the benchmarks. Product code paths never import it;
 * only the CLI command and the demo startup do.
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator.server.js';
export {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_GROUPS,
  DEMO_PHONE_APP_DOMAIN,
  DEMO_PHONE_APP_CLIENT_ID,
  DEMO_PHONE_APP_CLIENT_SECRET,
  DEMO_PHONE_APP_TEAMS_APP_ID,
  DEMO_TENANT_DOMAIN,
  DEMO_TENANT_ID,
  DEMO_UNCONSENTED_TENANT_ID,
  demoSeed,
  demoUserId,
} from './demo-tenant.seed.js';
export { largeTenantSeed, syntheticUsers, generatedTenantId } from './large-tenant.generator.js';
export { faultConfigSchema, type FaultConfigInput } from './fault.injector.js';
export { seedFileSchema, type SeedFileInput } from './seed.schema.js';
