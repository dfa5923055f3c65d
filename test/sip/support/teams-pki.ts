import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThrowawayCa, type PemPair } from '../../../src/emulator/teams-sip/throwaway-pki.js';

/** The certificates of a Teams edge test: a throw-away CA, Microsoft's proxies, our SBC (base + wildcard), a stranger. */
export interface TeamsPki {
  dir: string;
  caFile: string;
  microsoft: PemPair;
  sbc: PemPair;
  /** The same names, renewed (200 days), for reload tests. */
  sbcRenewed: PemPair;
  stranger: PemPair;
  remove: () => Promise<void>;
}

/** Issue them in a temporary folder (about 100 ms with EC keys). */
export async function createTeamsPki(baseDomain = 'sbc.test'): Promise<TeamsPki> {
  const dir = await mkdtemp(join(tmpdir(), 'callbridge-teams-'));
  const ca = await ThrowawayCa.create(dir);
  const microsoft = await ca.issue('microsoft', {
    dnsNames: ['sip.pstnhub.microsoft.com', 'sip2.pstnhub.microsoft.com', 'sip3.pstnhub.microsoft.com'],
  });
  const sbc = await ca.issue('sbc', { dnsNames: [baseDomain, `*.${baseDomain}`] });
  const sbcRenewed = await ca.issue('sbc-renewed', { dnsNames: [baseDomain, `*.${baseDomain}`], days: 200 });
  const stranger = await ca.issue('stranger', { dnsNames: ['sbc.other.example'] });
  return {
    dir,
    caFile: ca.ca.certFile,
    microsoft,
    sbc,
    sbcRenewed,
    stranger,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
