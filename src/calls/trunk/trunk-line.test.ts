import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { trunkSettings } from '../../../test/calls/support/trunk-harness.js';
import { SipResolver, type DnsLookups } from '../../sip/dns/sip.resolver.js';
import { adviceFor } from '../records/failure-advice.js';
import { TrunkCalls } from './trunk-calls.js';
import { TrunkLine } from './trunk-line.js';
import { registerTrunkMetrics } from './trunk.metrics.js';

/** The carrier's zone as DNS would answer it: SRV for the domain, A records for its hosts. */
const carrierDns: DnsLookups = {
  resolveSrv: (name) =>
    name === '_sip._udp.carrier.test'
      ? Promise.resolve([
          { name: 'sip1.carrier.test', port: 5060, priority: 10, weight: 1 },
          { name: 'sip2.carrier.test', port: 5080, priority: 20, weight: 1 },
        ])
      : Promise.reject(new Error('NXDOMAIN')),
  resolve4: (name) => {
    const hosts: Record<string, string[]> = {
      'sip1.carrier.test': ['192.0.2.1'],
      'sip2.carrier.test': ['192.0.2.2'],
    };
    return hosts[name] ? Promise.resolve(hosts[name]) : Promise.reject(new Error('NXDOMAIN'));
  },
  resolve6: () => Promise.reject(new Error('NODATA')),
};
const service = { id: 'service-trunk', accountId: 'account-trunk', name: 'Carrier', country: 'GB' };

describe('a running trunk', () => {
  it('without addresses, finds the domain by SRV in priority order and accepts INVITEs from those addresses only', async () => {
    const line = await TrunkLine.open(trunkSettings(), null, service, new SipResolver(carrierDns));
    expect(line.callTargets().map((t) => `${t.target.address}:${t.target.port}`)).toEqual([
      '192.0.2.1:5060',
      '192.0.2.2:5080',
    ]);
    expect(line.sends('192.0.2.2')).toBe(true);
    expect(line.sends('192.0.2.3')).toBe(false);
  });

  it('tries an address found unhealthy last, and keeps one that does not resolve, unhealthy, with why', async () => {
    const line = await TrunkLine.open(
      trunkSettings({
        addresses: [
          { host: 'sip1.carrier.test', port: 5060 },
          { host: 'gone.carrier.test', port: 5060 },
          { host: '192.0.2.9', port: null },
        ],
      }),
      null,
      service,
      new SipResolver(carrierDns),
    );
    expect(line.addresses[1]).toMatchObject({ label: 'gone.carrier.test:5060', healthy: false, targets: [] });
    expect(line.addresses[1]!.reason).toContain('gone.carrier.test');
    line.addresses[0]!.healthy = false;
    expect(line.callTargets().map((t) => t.label)).toEqual(['192.0.2.9:5060', 'sip1.carrier.test:5060']);
  });

  it('counts channels against the limit, carries them over a reload, and shows them in the metrics', async () => {
    const resolver = new SipResolver(carrierDns);
    const calls = new TrunkCalls({
      directory: {
        holderOf: () => Promise.resolve({ kind: 'outside' }),
        callerOf: () => Promise.resolve(undefined),
      },
      customerFqdnOf: () => 'contoso.sbc.test',
    });
    const first = await TrunkLine.open(trunkSettings({ maxChannels: 2 }), null, service, resolver);
    calls.replace([first]);
    expect([first.acquire(), first.acquire(), first.acquire()]).toEqual([true, true, false]);
    const reloaded = await TrunkLine.open(trunkSettings({ maxChannels: 2 }), null, service, resolver);
    calls.replace([reloaded]);
    expect(reloaded.channels).toBe(2);
    first.release(); // a call that started before the reload ends: the new line counts it gone
    expect(reloaded.channels).toBe(1);
    const registry = new Registry();
    registerTrunkMetrics(registry, calls, () => undefined);
    const text = await registry.metrics();
    expect(text).toContain('callbridge_trunk_channels_in_use 1');
    expect(text).toContain('callbridge_trunk_addresses{health="unknown"} 1');
  });
});

describe('failure advice for a number nobody holds', () => {
  it('tells the administrator what to do and opens the trunk service', () => {
    const message =
      '+441235123466 is in the range +441235123400-+441235123499 of the trunk "Carrier", but no Teams user holds it.';
    const advice = adviceFor({
      call: {
        accountId: 'a',
        serviceId: 's',
        userId: null,
        direction: 'pbx-to-teams',
        result: 'failed',
        finalStatus: 404,
        refusedBy: 'callbridge',
        q850Cause: null,
        refusal: { code: 'trunk_number_unassigned', message },
        proxiesTried: [],
      },
      voiceRoutingPolicyReady: true,
      domainReady: true,
      subdomain: 'contoso.sbc.test',
      phoneAppDomain: 'phone.example',
    });
    expect(advice).toMatchObject({ code: 'callbridge_trunk_number_unassigned', steps: [message] });
    expect(advice!.fix.path).toBe('/accounts/a/services/s');
  });
});
