/**
 * Where a webhook may point. A webhook URL is typed by a customer administrator, who may be hostile: it must not
 * reach our own network (metadata services, databases, the SIP or admin ports on loopback). Rules: https only
 * (plain http only to loopback, and only with `alertWebhookAllowLoopback` for development and tests), no user
 * info in the URL, and every address the host resolves to must be public; the address checked is the address
 * connected to (pinned), so a DNS answer that changes between check and connection (rebinding) cannot slip by.
 *
 * The address ranges use Node's own `net.BlockList` rather than a hand-written CIDR matcher.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../domain/errors.js';

/** Not public: private, shared, loopback, link-local, documentation, multicast, reserved (RFC 6890 and kin). */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export interface WebhookAddressPolicy {
  /** Development and tests: http:// and https:// to loopback addresses (never private or link-local ones). */
  allowLoopback: boolean;
}

/** A checked destination: the URL and the one address to connect to. */
export interface PinnedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

function refuse(message: string, url: string): never {
  throw new AppError('validation_failed', message, { field: 'url', url });
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) judged as the IPv4 address it carries. */
function familyOf(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function isLoopback(address: string): boolean {
  const a = familyOf(address);
  return LOOPBACK.check(a.address, a.type);
}

export function isPublic(address: string): boolean {
  const a = familyOf(address);
  return !NOT_PUBLIC.check(a.address, a.type);
}

/** The URL's syntax and scheme (no DNS): what the API checks when a subscription is saved. */
export function parseWebhookUrl(raw: string, policy: WebhookAddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse('The webhook URL is not a valid URL: give a full https:// address.', raw);
  }
  if (url.username || url.password)
    refuse('The webhook URL must not carry a user name or password: use the signing secret instead.', raw);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback))
    refuse('The webhook URL must use https://.', raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) checkAddress(host, url, policy);
  return url;
}

function checkAddress(address: string, url: URL, policy: WebhookAddressPolicy): void {
  if (policy.allowLoopback && isLoopback(address)) return;
  if (!isPublic(address))
    refuse(
      `The webhook URL points to ${address}, a private, loopback, link-local or reserved address: webhooks go only to public internet addresses.`,
      url.href,
    );
  if (url.protocol === 'http:') refuse('The webhook URL must use https://.', url.href);
}

/**
 * Resolves the URL's host and checks every address it answers; returns the first, to connect to and nothing
 * else. Refused with `validation_failed` when any address is not public, or the name does not resolve.
 */
export async function resolveWebhookTarget(raw: string, policy: WebhookAddressPolicy): Promise<PinnedTarget> {
  const url = parseWebhookUrl(raw, policy);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      refuse(`The webhook host ${host} does not resolve: check the name.`, raw);
    }
  }
  if (addresses.length === 0) refuse(`The webhook host ${host} does not resolve: check the name.`, raw);
  for (const a of addresses) checkAddress(a.address, url, policy);
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
