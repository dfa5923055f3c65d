import { Gauge, type Registry } from 'prom-client';
import type { RegistrationStatus } from '../../sip/registration/registration.types.js';
import { trunkRegistrationId } from './trunk-calls.types.js';
import type { TrunkCalls } from './trunk-calls.js';

/**
 * Trunk metrics, read at scrape time like the registration metrics: registration trunks by state (as users'
 * registrations are counted), trunk addresses by OPTIONS health, and the channels in use on all trunks (per
 * service would be a label per customer; the API shows each trunk).
 *
 * @example registerTrunkMetrics(registry, trunks, (id) => agent.status(id));
 */
export function registerTrunkMetrics(
  registry: Registry,
  trunks: TrunkCalls,
  statusOf: (registrationId: string) => RegistrationStatus | undefined,
): void {
  new Gauge({
    name: 'callbridge_trunk_registrations',
    help: 'Registration trunks this sip node registers, by registration state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const line of trunks.all()) {
        if (line.settings.kind !== 'registration') continue;
        // Among several sip nodes one registers each trunk: the others have no state for it and do not count it.
        const status = statusOf(trunkRegistrationId(line.serviceId));
        if (status) this.inc({ state: status.state });
      }
    },
  });
  new Gauge({
    name: 'callbridge_trunk_addresses',
    help: 'Trunk addresses by OPTIONS health (healthy, unhealthy, unknown: not pinged yet).',
    labelNames: ['health'],
    registers: [registry],
    collect() {
      const counts = { healthy: 0, unhealthy: 0, unknown: 0 };
      for (const address of trunks.all().flatMap((line) => line.addresses))
        counts[address.healthy === undefined ? 'unknown' : address.healthy ? 'healthy' : 'unhealthy']++;
      for (const [health, count] of Object.entries(counts)) this.set({ health }, count);
    },
  });
  new Gauge({
    name: 'callbridge_trunk_channels_in_use',
    help: 'Calls on carrier trunks now (both directions).',
    registers: [registry],
    collect() {
      this.set(trunks.all().reduce((sum, line) => sum + line.channels, 0));
    },
  });
}
