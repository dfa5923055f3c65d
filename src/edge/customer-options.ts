import { ProxyHealthBook, type ProxyHealthState } from './proxy-health.js';
import type { TeamsEdge } from './teams-edge.js';

/** How many OPTIONS are in flight at once for customers (thousands of subdomains must not burst together). */
const CONCURRENCY = 20;

/** One customer subdomain's OPTIONS health per Microsoft proxy. */
export interface CustomerHealth {
  fqdn: string;
  proxies: ProxyHealthState[];
}

/**
 * Per-customer OPTIONS (CALLS.md, carrier model: "per-customer OPTIONS should be possible behind a setting"):
 * with `settings.customerOptions` on, each keep-alive round also sends OPTIONS from every customer subdomain
 * Microsoft knows (`TeamsEdgeOptions.customerFqdns`) to each proxy, with that subdomain in From and Contact, and
 * keeps a health book per subdomain (the 3-minute rule as for the base FQDN). Off by default: derived trunks
 * inherit the carrier trunk's health, so most providers need only the base FQDN's OPTIONS.
 *
 * @example await edge.customers.pingAll(); edge.customers.list() // [{ fqdn: 'contoso.sbc.example.com', proxies }]
 */
export class CustomerOptions {
  private readonly books = new Map<string, ProxyHealthBook>();

  constructor(private readonly edge: TeamsEdge) {}

  /** True when the setting is on and the edge knows where to find the customers. */
  get enabled(): boolean {
    return (
      this.edge.options.settings.customerOptions === true && this.edge.options.customerFqdns !== undefined
    );
  }

  /** One round: OPTIONS from each customer subdomain (under the base domain) to each proxy, 20 at a time. */
  async pingAll(): Promise<void> {
    if (!this.enabled) return;
    const { baseDomain, proxies } = this.edge.options.settings;
    const wanted = new Set(
      (await this.edge.options.customerFqdns!())
        .map((fqdn) => fqdn.toLowerCase())
        .filter((fqdn) => fqdn.endsWith(`.${baseDomain}`)),
    );
    for (const fqdn of this.books.keys()) if (!wanted.has(fqdn)) this.books.delete(fqdn);
    const work = [...wanted].flatMap((fqdn) => {
      let book = this.books.get(fqdn);
      if (!book) this.books.set(fqdn, (book = new ProxyHealthBook(proxies.map((p) => p.host))));
      const held = book;
      return proxies.map((proxy) => () => this.edge.pingFrom(proxy, fqdn, held));
    });
    const next = async (): Promise<void> => {
      for (let job = work.shift(); job; job = work.shift()) await job();
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, work.length) }, next));
  }

  /** Every customer subdomain pinged, by name, with each proxy's state. */
  list(now = Date.now()): CustomerHealth[] {
    return [...this.books.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([fqdn, book]) => ({ fqdn, proxies: book.list(now) }));
  }
}
