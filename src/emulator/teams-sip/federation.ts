/**
 * Teams external access (federation) as the emulated proxy sees it: an INVITE addressed to a person's SIP address
 * (`sip:adele@contoso.com`, the UPN) rather than to a +E.164 number comes from another organisation. Microsoft
 * finds the tenant from the address's domain, checks that the calling domain is the one the partner's TLS
 * certificate names, then applies the tenant's external access settings (Get-CsTenantFederationConfiguration) and
 * the user's coexistence mode, the way the Phone App's documentation (seed 004) describes: blocked or not allowed
 * answers 603, a user not in Teams Only mode cannot take it.
 */
import { isIP } from 'node:net';
import type { SipRequest } from '../../sip/message/sip-message.js';
import { parseNameAddr, parseSipUri } from '../../sip/message/sip-uri.js';
import { nameCovers } from '../../sip/transport/tls.credentials.js';
import type { TeamsDirectory, TeamsUserRef } from './teams-directory.js';

/** What the proxy does with a federated INVITE. */
export type FederatedTarget =
  { ok: true; user: TeamsUserRef; fromDomain: string } | { ok: false; status: number; why: string };

/** A directory's answer for one federated call (see `TeamsDirectory.federatedCall`). */
export type FederatedDecision = { user: TeamsUserRef } | { status: number; why: string };

/**
 * The federated call this INVITE is, or undefined when it is a Direct Routing call (its Request-URI user part is
 * a number). The calling domain is the From host; it and the Contact host must be names the peer's certificate
 * covers (Microsoft trusts a federation partner by its certificate, not by its address).
 */
export function federatedTarget(
  request: SipRequest,
  peerNames: readonly string[],
  directory: TeamsDirectory,
): FederatedTarget | undefined {
  let user: string | undefined;
  let host: string;
  try {
    ({ user, host } = parseSipUri(request.uri));
  } catch {
    return undefined;
  }
  if (!user || /^\+?[\d*#]+$/.test(user)) return undefined;
  const fromDomain = hostOf(request.headers.get('From'));
  const contactHost = hostOf(request.headers.first('Contact'));
  if (!fromDomain || isIP(fromDomain) !== 0)
    return { ok: false, status: 403, why: 'a federated call must come From a domain name' };
  for (const name of [fromDomain, contactHost ?? ''])
    if (!peerNames.some((pattern) => nameCovers(pattern, name)))
      return {
        ok: false,
        status: 403,
        why: `${name || 'the Contact'} is not a name of the partner's certificate (${peerNames.join(', ')})`,
      };
  const decision = directory.federatedCall?.(`${user}@${host}`, fromDomain) ?? {
    status: 404,
    why: `no user ${user}@${host} reachable by federation`,
  };
  return 'user' in decision ? { ok: true, user: decision.user, fromDomain } : { ok: false, ...decision };
}

function hostOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).uri.host.toLowerCase();
  } catch {
    return undefined;
  }
}
