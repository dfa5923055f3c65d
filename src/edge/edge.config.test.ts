import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { edgeSettingsFrom } from './edge.settings.js';
import { CLOUD_PRESETS, parseProxyList, SignallingRanges } from './edge.config.js';
import { HEALTHY_WINDOW_MS, ProxyHealthBook } from './proxy-health.js';

describe('edge configuration', () => {
  it('parses proxy lists with default port 5061 and names a bad entry', () => {
    expect(parseProxyList('sip.a.example:5071, sip2.a.example')).toEqual([
      { host: 'sip.a.example', port: 5071 },
      { host: 'sip2.a.example', port: 5061 },
    ]);
    expect(() => parseProxyList('sip.a.example:99999')).toThrow(/"sip.a.example:99999" is not host\[:port\]/);
  });

  it("matches Microsoft's commercial signalling ranges and nothing else", () => {
    const ranges = new SignallingRanges(CLOUD_PRESETS.commercial.ranges);
    expect(ranges.allows('52.114.132.46')).toBe(true);
    expect(ranges.allows('52.123.0.1')).toBe(true);
    expect(ranges.allows('::ffff:52.112.1.1')).toBe(true);
    expect(ranges.allows('52.116.0.1')).toBe(false);
    expect(ranges.allows('127.0.0.1')).toBe(false);
    expect(() => new SignallingRanges(['52.112.0.0/x'])).toThrow();
  });
});

describe('proxy health (the 3-minute rule)', () => {
  it('healthy after a 200, unhealthy past 3 minutes or after a failure, healthy again on the next 200', () => {
    const book = new ProxyHealthBook(['sip.pstnhub.microsoft.com']);
    const p = 'sip.pstnhub.microsoft.com';
    expect(book.isHealthy(p, 0)).toBe(false);
    book.answered(p, 200, 12, undefined, 1_000);
    expect(book.isHealthy(p, 1_000 + HEALTHY_WINDOW_MS)).toBe(true);
    expect(book.isHealthy(p, 1_001 + HEALTHY_WINDOW_MS)).toBe(false);
    book.answered(p, 503, 10, 'Service Unavailable', 2_000);
    expect(book.list(2_000)[0]).toMatchObject({
      healthy: false,
      consecutiveFailures: 1,
      lastError: '503 Service Unavailable',
    });
    book.answered(p, 200, 9, undefined, 3_000);
    expect(book.list(3_000)[0]).toMatchObject({
      healthy: true,
      consecutiveFailures: 0,
      failures: 1,
      roundTripMs: 9,
    });
  });
});

describe('edge settings from the configuration', () => {
  it('stays off without a certificate, takes the commercial preset, and honours overrides', () => {
    expect(edgeSettingsFrom(loadConfig({ env: {} }))).toBeUndefined();
    const on = edgeSettingsFrom(
      loadConfig({
        env: {
          CALLBRIDGE_SBC_CERT_FILE: '/c.pem',
          CALLBRIDGE_SBC_KEY_FILE: '/k.pem',
          CALLBRIDGE_SBC_DOMAIN: 'sbc.example.com',
        },
      }),
    )!;
    expect(on.proxies.map((p) => `${p.host}:${p.port}`)).toEqual([
      'sip.pstnhub.microsoft.com:5061',
      'sip2.pstnhub.microsoft.com:5061',
      'sip3.pstnhub.microsoft.com:5061',
    ]);
    expect([on.signallingPort, on.optionsIntervalMs, on.ranges.allows('52.112.9.9')]).toEqual([
      5061,
      60_000,
      true,
    ]);
    const gov = edgeSettingsFrom(
      loadConfig({
        env: {
          CALLBRIDGE_SBC_CERT_FILE: '/c.pem',
          CALLBRIDGE_SBC_KEY_FILE: '/k.pem',
          CALLBRIDGE_TEAMS_CLOUD: 'gcch',
          CALLBRIDGE_TEAMS_SIGNALLING_RANGES: '127.0.0.0/8',
        },
      }),
    )!;
    expect(gov.proxies).toEqual([{ host: 'sip.gov.teams.microsoft.us', port: 5061 }]);
    expect(gov.ranges.allows('127.0.0.1')).toBe(true);
    expect(() => loadConfig({ env: { CALLBRIDGE_TEAMS_PROXIES: 'sip a' } })).toThrow(/host\[:port\]/);
  });
});
