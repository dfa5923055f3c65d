import { describe, expect, it } from 'vitest';
import { isSipError } from '../sip.error.js';
import { SipResolver, type DnsLookups } from './sip.resolver.js';

function fakeDns(records: {
  srv?: Record<string, { name: string; port: number; priority: number; weight: number }[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
}): DnsLookups & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(table: Record<string, T[]> | undefined, name: string, kind: string): Promise<T[]> => {
    queries.push(`${kind} ${name}`);
    const found = table?.[name];
    return found
      ? Promise.resolve(found)
      : Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  };
  return {
    queries,
    resolveSrv: (name) => answer(records.srv, name, 'SRV'),
    resolve4: (name) => answer(records.a, name, 'A'),
    resolve6: (name) => answer(records.aaaa, name, 'AAAA'),
  };
}

describe('SipResolver (RFC 3263)', () => {
  it('uses SRV records in priority order and expands each to its addresses', async () => {
    const dns = fakeDns({
      srv: {
        '_sip._udp.pbx.example.com': [
          { name: 'backup.example.com', port: 5070, priority: 20, weight: 0 },
          { name: 'main.example.com', port: 5060, priority: 10, weight: 0 },
        ],
      },
      a: { 'main.example.com': ['192.0.2.1'], 'backup.example.com': ['192.0.2.2'] },
      aaaa: { 'backup.example.com': ['2001:db8::2'] },
    });
    const targets = await new SipResolver(dns).resolve({ host: 'pbx.example.com', protocol: 'udp' });
    expect(targets.map((t) => `${t.address}:${t.port}`)).toEqual([
      '192.0.2.1:5060',
      '192.0.2.2:5070',
      '2001:db8::2:5070',
    ]);
    expect(targets[0]!.serverName).toBe('pbx.example.com');
  });

  it('asks _sips._tcp for TLS and falls back to A records on port 5061 without SRV', async () => {
    const dns = fakeDns({ a: { 'pbx.example.com': ['192.0.2.9'] } });
    const targets = await new SipResolver(dns).resolve({ host: 'pbx.example.com', protocol: 'tls' });
    expect(dns.queries).toContain('SRV _sips._tcp.pbx.example.com');
    expect(targets).toEqual([
      { protocol: 'tls', address: '192.0.2.9', port: 5061, serverName: 'pbx.example.com' },
    ]);
  });

  it('skips SRV for an explicit port and for IP literals', async () => {
    const dns = fakeDns({ a: { 'pbx.example.com': ['192.0.2.9'] } });
    const resolver = new SipResolver(dns);
    expect(await resolver.resolve({ host: 'pbx.example.com', port: 5080, protocol: 'tcp' })).toEqual([
      { protocol: 'tcp', address: '192.0.2.9', port: 5080, serverName: 'pbx.example.com' },
    ]);
    expect(await resolver.resolve({ host: '[2001:db8::1]', protocol: 'udp' })).toMatchObject([
      { address: '2001:db8::1', port: 5060 },
    ]);
    expect(dns.queries.filter((q) => q.startsWith('SRV'))).toEqual([]);
  });

  it('spreads equal-priority SRV targets by weight', async () => {
    const dns = fakeDns({
      srv: {
        '_sip._udp.d': [
          { name: 'a', port: 1, priority: 1, weight: 90 },
          { name: 'b', port: 2, priority: 1, weight: 10 },
        ],
      },
      a: { a: ['192.0.2.1'], b: ['192.0.2.2'] },
    });
    let firstA = 0;
    for (let i = 0; i < 200; i++) {
      const targets = await new SipResolver(dns, 0).resolve({ host: 'd', protocol: 'udp' });
      if (targets[0]!.address === '192.0.2.1') firstA++;
    }
    expect(firstA).toBeGreaterThan(150);
    expect(firstA).toBeLessThan(200);
  });

  it('caches answers and reports a name without records as sip_dns_failed', async () => {
    const dns = fakeDns({ a: { 'pbx.example.com': ['192.0.2.9'] } });
    const resolver = new SipResolver(dns);
    await resolver.resolve({ host: 'pbx.example.com', protocol: 'udp' });
    await resolver.resolve({ host: 'pbx.example.com', protocol: 'udp' });
    expect(dns.queries.filter((q) => q.startsWith('A '))).toHaveLength(1);
    const error = await resolver
      .resolve({ host: 'nowhere.example.com', protocol: 'udp' })
      .catch((e: unknown) => e);
    expect(isSipError(error) && error.code).toBe('sip_dns_failed');
  });
});
