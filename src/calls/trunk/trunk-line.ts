import { addressLabel, type TrunkAddressHealth, type TrunkSettings } from '../../domain/trunk.js';
import type { SipResolver } from '../../sip/dns/sip.resolver.js';
import type { SipTarget } from '../../sip/transport/transport.types.js';
import type { WireFormat } from './trunk-number-format.js';

/** One address of a trunk, resolved, with its OPTIONS health. */
export interface TrunkTarget {
  /** `host:port` as configured (the health is reported under it). */
  label: string;
  /** Resolved targets of the address (an IP literal gives one; a name may give several by SRV/A). */
  targets: SipTarget[];
  healthy: boolean | undefined;
  checkedAt: string | undefined;
  reason: string | null;
}

/**
 * A trunk as the sip role runs it (issue 19): its settings with the password opened, its addresses resolved (the
 * IPs INVITEs are accepted from, in order of preference for calls out), their health, and the channels in use
 * (both directions share the carrier's limit).
 *
 * @example const line = await TrunkLine.open(settings, password, service, resolver); line.acquire();
 */
export class TrunkLine {
  /** Calls on the trunk now, shared with the lines this one replaces (calls in progress release on theirs). */
  private counter = { inUse: 0 };
  readonly addresses: TrunkTarget[];

  private constructor(
    readonly settings: TrunkSettings,
    readonly password: string | null,
    readonly service: { id: string; accountId: string; name: string; country: string | null },
    addresses: TrunkTarget[],
  ) {
    this.addresses = addresses;
  }

  /**
   * Resolve the trunk's addresses (its domain by SRV when it lists none); an address that does not resolve is
   * kept, unhealthy, with why (a carrier's DNS may be back at the next load).
   */
  static async open(
    settings: TrunkSettings,
    password: string | null,
    service: TrunkLine['service'],
    resolver: SipResolver,
  ): Promise<TrunkLine> {
    const configured =
      settings.addresses.length > 0 ? settings.addresses : [{ host: settings.domain, port: null }];
    const addresses = await Promise.all(
      configured.map(async (address): Promise<TrunkTarget> => {
        const label = addressLabel(address, settings.transport);
        const known = settings.health.find((h) => h.address === label);
        try {
          const targets = await resolver.resolve({
            host: address.host,
            ...(address.port !== null && { port: address.port }),
            protocol: settings.transport,
          });
          return { label, targets, healthy: known?.healthy, checkedAt: known?.checkedAt, reason: null };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return { label, targets: [], healthy: false, checkedAt: new Date().toISOString(), reason };
        }
      }),
    );
    return new TrunkLine(settings, password, service, addresses);
  }

  get serviceId(): string {
    return this.settings.serviceId;
  }

  /** The trunk's way of writing numbers. */
  get wire(): WireFormat {
    return {
      format: this.settings.numberFormat,
      prefix: this.settings.numberPrefix,
      country: this.service.country,
    };
  }

  /** Whether a request from this address comes from the trunk (its resolved addresses). */
  sends(address: string): boolean {
    return this.addresses.some((a) => a.targets.some((t) => t.address === address));
  }

  /** Where calls go, in order: the configured order, addresses found unhealthy by OPTIONS last. */
  callTargets(): { label: string; target: SipTarget }[] {
    const ordered = [
      ...this.addresses.filter((a) => a.healthy !== false),
      ...this.addresses.filter((a) => a.healthy === false),
    ];
    return ordered.flatMap((a) => a.targets.map((target) => ({ label: a.label, target })));
  }

  /** Calls on the trunk now (both directions). */
  get channels(): number {
    return this.counter.inUse;
  }

  /** Take a channel; false when the trunk's limit is reached. */
  acquire(): boolean {
    const max = this.settings.maxChannels;
    if (max !== null && this.counter.inUse >= max) return false;
    this.counter.inUse++;
    return true;
  }

  release(): void {
    this.counter.inUse = Math.max(0, this.counter.inUse - 1);
  }

  /** The health of every address, as stored and shown. */
  health(): TrunkAddressHealth[] {
    return this.addresses
      .filter((a) => a.checkedAt !== undefined && a.healthy !== undefined)
      .map((a) => ({ address: a.label, healthy: a.healthy!, checkedAt: a.checkedAt!, reason: a.reason }));
  }

  /** Carry the health and channels over from the line this one replaces (a reload). */
  inherit(previous: TrunkLine): void {
    this.counter = previous.counter;
    for (const address of this.addresses) {
      const before = previous.addresses.find((a) => a.label === address.label);
      if (before && address.reason === null) {
        address.healthy = before.healthy;
        address.checkedAt = before.checkedAt;
        address.reason = before.reason;
      }
    }
  }
}
