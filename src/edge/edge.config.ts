import { BlockList, isIP } from 'node:net';

/** Microsoft clouds with their Direct Routing proxies and signalling ranges. */
export type TeamsCloud = 'commercial' | 'gcch' | 'dod';

/** One Microsoft SIP proxy. */
export interface TeamsProxy {
  host: string;
  port: number;
}

/**
 * Presets from Microsoft's Direct Routing pages: the commercial cloud's three proxies and signalling ranges
 * (52.112.0.0/14, 52.120.0.0/14); the US Government clouds' single FQDNs. The Government ranges are unverified:
 * override them with CALLBRIDGE_TEAMS_SIGNALLING_RANGES.
 */
export const CLOUD_PRESETS: Readonly<Record<TeamsCloud, { proxies: TeamsProxy[]; ranges: string[] }>> = {
  commercial: {
    proxies: ['sip', 'sip2', 'sip3'].map((name) => ({ host: `${name}.pstnhub.microsoft.com`, port: 5061 })),
    ranges: ['52.112.0.0/14', '52.120.0.0/14'],
  },
  gcch: { proxies: [{ host: 'sip.gov.teams.microsoft.us', port: 5061 }], ranges: ['52.127.0.0/16'] },
  dod: { proxies: [{ host: 'sip.dod.teams.microsoft.us', port: 5061 }], ranges: ['52.126.0.0/16'] },
};

/** `sip.a.example:5061, sip2.a.example` -> proxies (port 5061 by default). Throws a message naming the bad entry. */
export function parseProxyList(text: string): TeamsProxy[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry);
      const port = match?.[2] === undefined ? 5061 : Number(match[2]);
      if (!match || port < 1 || port > 65535)
        throw new Error(`"${entry}" is not host[:port], e.g. sip.pstnhub.microsoft.com:5061`);
      return { host: match[1]!.toLowerCase(), port };
    });
}

/**
 * The addresses Microsoft signals from, as a node:net BlockList (the standard library's CIDR matcher, so no
 * hand-written prefix arithmetic). `allows('52.114.132.46')` is true for the commercial ranges.
 */
export class SignallingRanges {
  private readonly list = new BlockList();

  constructor(readonly ranges: readonly string[]) {
    for (const range of ranges) {
      const [address, bits] = range.split('/');
      const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
      if (!address || isIP(address) === 0) throw new Error(`"${range}" is not an address or CIDR range`);
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
  }

  /** True when the address is in a range (IPv4-mapped IPv6 addresses are matched as IPv4). */
  allows(address: string): boolean {
    const plain = address.replace(/^::ffff:/i, '');
    return this.list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  }
}

/** What the edge is configured with (from CALLBRIDGE_SBC_* / CALLBRIDGE_TEAMS_* keys). */
export interface EdgeSettings {
  /** The provider's base domain; customers get `<name>.<base>`. */
  baseDomain: string;
  host: string;
  signallingPort: number;
  certFile: string;
  keyFile: string;
  caFile?: string;
  proxies: TeamsProxy[];
  ranges: SignallingRanges;
  /** Sent as X-MS-SBC: vendor/product/version. */
  sbcHeader: string;
  optionsIntervalMs: number;
  /** Also send OPTIONS from each customer's subdomain (carrier model's derived trunks); default off. */
  customerOptions?: boolean;
  /** No provisional from a proxy this long: try the next one. */
  failoverAfterMs: number;
  /**
   * The Phone App's external access (issue 20): calls to a Teams user's SIP address from `domain` (which our
   * certificate must cover), sent to Microsoft's federation edge. Absent: Phone App calls are refused.
   */
  federation?: { domain: string; edge: TeamsProxy };
}

/**
 * Microsoft's federation edge for Teams and Skype for Business Online: what `_sipfederationtls._tcp.<domain>` of
 * a Microsoft 365 domain names (Microsoft's DNS requirements for federation).
 */
export const FEDERATION_EDGE: TeamsProxy = { host: 'sipfed.online.lync.com', port: 5061 };
