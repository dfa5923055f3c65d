/**
 * The Teams SIP emulator for the demo and the CLI (imported only by them, tests and benches): Microsoft's Direct
 * Routing proxies, their control API routes, and the demo's throw-away PKI.
 */
export { DEMO_TENANT_ID } from '../demo-tenant.seed.js';
export { teamsSipControlRoutes } from './teams-sip-control.routes.js';
export { demoPki, pointVoiceRoutesAt, startDemoTeamsSip, type DemoTeamsSip } from './teams-sip.demo.js';
export { TeamsSipEmulator } from './teams-sip.emulator.js';
