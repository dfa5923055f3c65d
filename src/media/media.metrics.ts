import { Gauge, type Registry } from 'prom-client';
import type { MediaRelayStatus } from './media-relay.js';

/** What the media metrics read: the relay's status and, when `serve` runs it, the managed child's restarts. */
export interface MediaMetricsSource {
  relay: { status(): MediaRelayStatus };
  managed?: { restarts: number } | undefined;
}

/**
 * rtpengine's health on `/metrics` (issue 18): `callbridge_rtpengine_up` is 1 while the relay answers its pings
 * (calls get media), 0 while calls are refused for want of it; `callbridge_rtpengine_restarts` counts the managed
 * child's restarts (each one loses the calls it relayed). Read at scrape time, never stale.
 *
 * @example registerMediaMetrics(registry, media)
 */
export function registerMediaMetrics(registry: Registry, source: MediaMetricsSource): void {
  new Gauge({
    name: 'callbridge_rtpengine_up',
    help: '1 while the media relay (rtpengine) answers, 0 while calls are refused for want of it',
    registers: [registry],
    collect() {
      this.set(source.relay.status().state === 'available' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'callbridge_rtpengine_restarts',
    help: 'Restarts of the rtpengine child serve runs (each loses the calls it relayed); 0 for an external one',
    registers: [registry],
    collect() {
      this.set(source.managed?.restarts ?? 0);
    },
  });
}
