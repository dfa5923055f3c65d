import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { SipError } from '../sip.error.js';
import { defaultPort, type SipTarget, type TransportProtocol } from '../transport/transport.types.js';

/** The DNS lookups RFC 3263 needs; node:dns by default, a fake in tests. */
export interface DnsLookups {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** node:dns behind the DnsLookups interface. */
export const systemDns: DnsLookups = {
  resolveSrv: (name) => dns.resolveSrv(name),
  resolve4: (name) => dns.resolve4(name),
  resolve6: (name) => dns.resolve6(name),
};

/** What to locate: the proxy if one is set, else the SIP domain (RFC 3263 section 4). */
export interface ServerLocation {
  host: string;
  /** An explicit port skips SRV (section 4.2). */
  port?: number;
  protocol: TransportProtocol;
}

/** SRV service name for a transport: `_sip._udp`, `_sip._tcp`, `_sips._tcp`. */
export function srvPrefix(protocol: TransportProtocol): string {
  return protocol === 'tls' ? '_sips._tcp' : `_sip._${protocol}`;
}

/**
 * RFC 3263 server location: IP literals and explicit ports go straight to A/AAAA (or nowhere); otherwise SRV
 * records are tried in priority order, weighted-random within a priority (RFC 2782), each expanded to its
 * addresses; without SRV records the host's A/AAAA records with the transport's default port. NAPTR is not
 * consulted: the transport is configured per PBX service. Results are cached for `cacheTtlMs` so thousands of
 * registrations to one PBX cost one lookup.
 *
 * @example await new SipResolver().resolve({ host: 'pbx.example.com', protocol: 'udp' }) // [{address, port, ...}]
 */
export class SipResolver {
  private readonly cache = new Map<string, { targets: SipTarget[]; expiresAt: number }>();

  constructor(
    private readonly lookups: DnsLookups = systemDns,
    private readonly cacheTtlMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** Ordered targets to try; throws SipError `sip_dns_failed` when the name has no usable record. */
  async resolve(location: ServerLocation): Promise<SipTarget[]> {
    const key = cacheKey(location);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.targets;
    const targets = await this.lookup(location);
    if (targets.length === 0) {
      throw new SipError(
        'sip_dns_failed',
        `No address found for SIP server ${location.host} (${location.protocol}).`,
        {
          host: location.host,
        },
      );
    }
    this.cache.set(key, { targets, expiresAt: Date.now() + this.cacheTtlMs });
    return targets;
  }

  /**
   * The cached targets of a location still fresh, else undefined: callers that locate the same PBX for every
   * registration take this without a promise and call `resolve` only on a miss.
   */
  cached(location: ServerLocation): SipTarget[] | undefined {
    const cached = this.cache.get(cacheKey(location));
    return cached && cached.expiresAt > Date.now() ? cached.targets : undefined;
  }

  /** Forget the cached answer for one location (e.g. after every target failed), or all of them. */
  invalidate(location?: ServerLocation): void {
    if (location) this.cache.delete(cacheKey(location));
    else this.cache.clear();
  }

  private async lookup(location: ServerLocation): Promise<SipTarget[]> {
    const { host, protocol } = location;
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const port = location.port ?? defaultPort(protocol);
    if (isIP(bare) !== 0) return [{ protocol, address: bare, port, serverName: bare }];
    if (location.port !== undefined) return this.addresses(host, port, protocol, host);
    const records = await this.lookups.resolveSrv(`${srvPrefix(protocol)}.${host}`).catch(() => []);
    if (records.length === 0) return this.addresses(host, port, protocol, host);
    const targets: SipTarget[] = [];
    for (const record of this.orderSrv(records)) {
      if (record.name === '.' || record.name === '') continue;
      targets.push(...(await this.addresses(record.name, record.port, protocol, host)));
    }
    return targets;
  }

  private async addresses(
    name: string,
    port: number,
    protocol: TransportProtocol,
    serverName: string,
  ): Promise<SipTarget[]> {
    const [v4, v6] = await Promise.all([
      this.lookups.resolve4(name).catch(() => [] as string[]),
      this.lookups.resolve6(name).catch(() => [] as string[]),
    ]);
    return [...v4, ...v6].map((address) => ({ protocol, address, port, serverName }));
  }

  /** RFC 2782: ascending priority; within one priority, weighted random order. */
  private orderSrv<T extends { priority: number; weight: number }>(records: T[]): T[] {
    const byPriority = new Map<number, T[]>();
    for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
    const ordered: T[] = [];
    for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
      const pool = [...byPriority.get(priority)!];
      while (pool.length > 0) {
        const total = pool.reduce((sum, r) => sum + r.weight, 0);
        let pick = this.random() * total;
        let index = pool.findIndex((r) => (pick -= r.weight) < 0);
        if (index < 0) index = 0;
        ordered.push(pool.splice(index, 1)[0]!);
      }
    }
    return ordered;
  }
}

function cacheKey(location: ServerLocation): string {
  return `${location.protocol}|${location.host}|${location.port ?? ''}`;
}
