import { X509Certificate } from 'node:crypto';
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorState } from '../emulator.state.js';
import { emulatorDirectory } from './teams-directory.js';
import { TeamsSipEmulator } from './teams-sip.emulator.js';
import { ThrowawayCa, type PemPair } from './throwaway-pki.js';

/** The certificates of the demo: a throw-away CA, Microsoft's proxies' certificate and the SBC's. */
export interface DemoPki {
  caFile: string;
  microsoft: PemPair;
  sbc: PemPair;
}

/** The demo's Teams SIP emulator and what the edge needs to talk to it. */
export interface DemoTeamsSip {
  emulator: TeamsSipEmulator;
  pki: DemoPki;
  /** Tell the emulator where the SBC (our edge) listens on loopback, once it does. */
  attachSbc(port: number): void;
  close(): Promise<void>;
}

const MICROSOFT_NAMES = [
  'sip.pstnhub.microsoft.com',
  'sip2.pstnhub.microsoft.com',
  'sip3.pstnhub.microsoft.com',
  'sipfed.online.lync.com', // the federation edge: Phone App calls through external access (issue 20)
];
const RENEW_DAYS = 14;

/** True when the certificate file exists, names `sbcDomain` and its wildcard, and lives longer than 14 days. */
async function stillGood(certFile: string, names: string[]): Promise<boolean> {
  try {
    const cert = new X509Certificate(await readFile(certFile));
    const left = (new Date(cert.validTo).getTime() - Date.now()) / 86_400_000;
    return left > RENEW_DAYS && names.every((n) => cert.subjectAltName?.includes(`DNS:${n}`) === true);
  } catch {
    return false;
  }
}

/**
 * The demo's PKI in `dir` (the data directory's `teams-pki/`): made at the first start, kept across restarts, made
 * anew when a certificate is missing, names another SBC domain or has 14 days or less left. Files are 0600.
 *
 * @example const pki = await demoPki(path.join(dataDir, 'teams-pki'), 'sbc.callbridge.local');
 */
export async function demoPki(dir: string, sbcDomain: string, phoneAppDomain?: string): Promise<DemoPki> {
  // The Phone App domain too: Phone App calls come From it, and Microsoft checks our certificate names it.
  const sbcNames = [sbcDomain, `*.${sbcDomain}`, ...(phoneAppDomain ? [phoneAppDomain.toLowerCase()] : [])];
  const pki: DemoPki = {
    caFile: join(dir, 'ca.pem'),
    microsoft: { certFile: join(dir, 'microsoft.pem'), keyFile: join(dir, 'microsoft.key') },
    sbc: { certFile: join(dir, 'sbc.pem'), keyFile: join(dir, 'sbc.key') },
  };
  if (
    (await stillGood(pki.microsoft.certFile, MICROSOFT_NAMES)) &&
    (await stillGood(pki.sbc.certFile, sbcNames))
  )
    return pki;
  await rm(dir, { recursive: true, force: true });
  const ca = await ThrowawayCa.create(dir, 'Callbridge demo CA (throw-away)');
  await ca.issue('microsoft', { dnsNames: MICROSOFT_NAMES, days: 365 });
  await ca.issue('sbc', { dnsNames: sbcNames, days: 365 });
  // Like the rest of the data directory: 0700, files 0600 (the keys above all).
  for (const name of await readdir(dir)) await chmod(join(dir, name), 0o600);
  await chmod(dir, 0o700);
  return pki;
}

/**
 * Start the Teams SIP emulator for the demo on loopback: its Teams users are the Graph emulator's tenants'
 * users, and every FQDN under the provider's SBC domain (the gateways the tenants' voice routes name) leads to
 * our edge once `attachSbc` says where it listens.
 *
 * @example const teams = await startDemoTeamsSip({ pkiDir, sbcDomain, state: graph.state }); teams.attachSbc(edge.port);
 */
export async function startDemoTeamsSip(options: {
  pkiDir: string;
  sbcDomain: string;
  state: EmulatorState;
  port?: number;
  /** The Phone App's federation domain (its calls reach our edge like the customers' subdomains). */
  phoneAppDomain?: string;
}): Promise<DemoTeamsSip> {
  const pki = await demoPki(options.pkiDir, options.sbcDomain, options.phoneAppDomain);
  const base = options.sbcDomain.toLowerCase();
  let sbcPort: number | undefined;
  const emulator = await TeamsSipEmulator.start({
    host: '127.0.0.1',
    port: options.port ?? 0,
    ...pki.microsoft,
    caFile: pki.caFile,
    directory: emulatorDirectory(options.state),
    sbcTarget: (fqdn) => {
      const host = fqdn.toLowerCase();
      const ours =
        host === base || host.endsWith(`.${base}`) || host === options.phoneAppDomain?.toLowerCase();
      if (sbcPort === undefined || !ours) return undefined;
      return { protocol: 'tls', address: '127.0.0.1', port: sbcPort };
    },
  });
  return {
    emulator,
    pki,
    attachSbc: (port) => void (sbcPort = port),
    close: () => emulator.stop(),
  };
}

/**
 * Point a tenant's voice routes at the SBC FQDN `gateway` (as a Teams administrator would with
 * Set-CsOnlineVoiceRoute -OnlinePstnGatewayList) and have the domain verified, so its users' calls reach our edge
 * through the emulator before the first sync creates the carrier objects itself (the sync then finds them ready).
 */
export function pointVoiceRoutesAt(state: EmulatorState, tenantId: string, gateway: string): void {
  const tenant = state.tenants.get(tenantId);
  if (!tenant) return;
  const id = gateway.toLowerCase();
  tenant.domains.set(id, { id, isVerified: true });
  for (const route of tenant.telephony.voiceRoutes.values()) route.OnlinePstnGatewayList = [id];
}
