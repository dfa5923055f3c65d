import type { Config } from '../config/config.schema.js';
import {
  CLOUD_PRESETS,
  FEDERATION_EDGE,
  parseProxyList,
  SignallingRanges,
  type EdgeSettings,
} from './edge.config.js';

/** Vendor/product/version in X-MS-SBC (Microsoft asks every SBC for it on requests and responses). */
export const SBC_HEADER = 'Callbridge/Edge/0.1.0';

/**
 * The demo's stand-ins for CALLBRIDGE_SBC_*: the throw-away certificate and CA made in the data directory, and
 * the emulator's loopback address as Microsoft's signalling range. Used only while no certificate is configured,
 * so a real deployment's settings always win.
 */
export interface DemoEdgeDefaults {
  certFile: string;
  keyFile: string;
  caFile: string;
  ranges: string[];
}

/**
 * The edge's settings from the validated configuration (or, in the demo, its throw-away certificate); undefined
 * while no certificate and key are configured outside the demo (the edge stays off). Proxies and ranges come from the cloud preset
 * unless overridden.
 *
 * @example edgeSettingsFrom(loadConfig({ env })) // { baseDomain: 'sbc.example.com', proxies: [sip, sip2, sip3], ... }
 */
export function edgeSettingsFrom(config: Config, demo?: DemoEdgeDefaults): EdgeSettings | undefined {
  const files =
    config.sbcCertFile && config.sbcKeyFile
      ? { certFile: config.sbcCertFile, keyFile: config.sbcKeyFile, caFile: config.sbcCaFile }
      : demo && { certFile: demo.certFile, keyFile: demo.keyFile, caFile: demo.caFile };
  if (!files) return undefined;
  const preset = CLOUD_PRESETS[config.teamsCloud];
  const demoRanges = !config.sbcCertFile && !config.teamsSignallingRanges ? demo?.ranges : undefined;
  return {
    baseDomain: config.sbcDomain.toLowerCase(),
    host: config.sbcHost,
    signallingPort: config.sbcSignallingPort,
    ...files,
    proxies: config.teamsProxies ? parseProxyList(config.teamsProxies) : preset.proxies,
    ranges: new SignallingRanges(
      demoRanges ??
        (config.teamsSignallingRanges
          ? config.teamsSignallingRanges
              .split(',')
              .map((r) => r.trim())
              .filter(Boolean)
          : preset.ranges),
    ),
    sbcHeader: SBC_HEADER,
    optionsIntervalMs: config.teamsOptionsIntervalSeconds * 1000,
    customerOptions: config.teamsCustomerOptions,
    failoverAfterMs: config.teamsFailoverSeconds * 1000,
    federation: { domain: config.phoneAppDomain.toLowerCase(), edge: FEDERATION_EDGE },
  };
}
