import type { Config } from '../config/config.schema.js';
import { CLOUD_PRESETS, parseProxyList, SignallingRanges, type EdgeSettings } from './edge.config.js';

/** Vendor/product/version in X-MS-SBC (Microsoft asks every SBC for it on requests and responses). */
export const SBC_HEADER = 'Callbridge/Edge/0.1.0';

/**
 * The edge's settings from the validated configuration; undefined while no certificate and key are configured
 * (the edge stays off, so the demo's `npm start` needs none). Proxies and ranges come from the cloud preset
 * unless overridden.
 *
 * @example edgeSettingsFrom(loadConfig({ env })) // { baseDomain: 'sbc.example.com', proxies: [sip, sip2, sip3], ... }
 */
export function edgeSettingsFrom(config: Config): EdgeSettings | undefined {
  if (!config.sbcCertFile || !config.sbcKeyFile) return undefined;
  const preset = CLOUD_PRESETS[config.teamsCloud];
  return {
    baseDomain: config.sbcDomain.toLowerCase(),
    host: config.sbcHost,
    signallingPort: config.sbcSignallingPort,
    certFile: config.sbcCertFile,
    keyFile: config.sbcKeyFile,
    caFile: config.sbcCaFile,
    proxies: config.teamsProxies ? parseProxyList(config.teamsProxies) : preset.proxies,
    ranges: new SignallingRanges(
      config.teamsSignallingRanges
        ? config.teamsSignallingRanges
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean)
        : preset.ranges,
    ),
    sbcHeader: SBC_HEADER,
    optionsIntervalMs: config.teamsOptionsIntervalSeconds * 1000,
    failoverAfterMs: config.teamsFailoverSeconds * 1000,
  };
}
