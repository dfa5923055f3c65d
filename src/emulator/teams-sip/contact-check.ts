import { isIP } from 'node:net';
import type { SipRequest } from '../../sip/message/sip-message.js';
import { parseNameAddr } from '../../sip/message/sip-uri.js';
import { nameCovers } from '../../sip/transport/tls.credentials.js';
import type { TeamsDirectory } from './teams-directory.js';

/** The outcome of Microsoft's check of an SBC's Contact. */
export type ContactCheck =
  { ok: true; fqdn: string; tenantId: string | undefined } | { ok: false; why: string };

/**
 * Microsoft's check of the FQDN an SBC presents (Direct Routing SIP page): the Contact host must be a name (an IP
 * gets 403), covered by a DNS name of the certificate the SBC presented on this connection, and, for calls, a
 * domain of a tenant (that is how Microsoft finds the tenant: never from the number).
 */
export function checkContact(
  request: SipRequest,
  peerNames: readonly string[],
  directory: TeamsDirectory,
  requireTenant: boolean,
): ContactCheck {
  const contact = request.headers.first('Contact');
  if (contact === undefined) return { ok: false, why: 'no Contact header' };
  let host: string;
  try {
    host = parseNameAddr(contact).uri.host;
  } catch {
    return { ok: false, why: 'unparsable Contact header' };
  }
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0)
    return { ok: false, why: `Contact host ${host} is an IP address` };
  if (!peerNames.some((name) => nameCovers(name, host)))
    return { ok: false, why: `Contact FQDN ${host} is not in the SBC certificate (${peerNames.join(', ')})` };
  const tenantId = directory.tenantOfDomain(host);
  if (requireTenant && tenantId === undefined)
    return { ok: false, why: `Contact FQDN ${host} is not a verified domain of any tenant` };
  return { ok: true, fqdn: host, tenantId };
}
