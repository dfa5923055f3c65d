import { createResponse } from '../message/response.factory.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseSipUri } from '../message/sip-uri.js';

/** Methods we accept; sent in Allow. */
export const ALLOWED_METHODS = 'INVITE, ACK, CANCEL, BYE, OPTIONS';

/** Decides whether a Request-URI user part names one of our registered users (its Contact token). */
export type ContactLookup = (userPart: string) => boolean;

/**
 * Answer a request the PBX sends to us, until call bridging exists: OPTIONS 200 (to any URI: it is a
 * keep-alive / capability probe), INVITE 480 for a known contact and 404 for an unknown one, BYE 481 (we hold no
 * dialogs), other methods 405 with Allow (RFC 3261 sections 8.2.1, 11.2, 15.1.2).
 *
 * @example answerIncoming(invite, (user) => agent.hasContact(user)) // -> 480 Temporarily Unavailable
 */
export function answerIncoming(request: SipRequest, isKnownContact: ContactLookup): SipResponse {
  switch (request.method) {
    case 'OPTIONS':
      return createResponse(request, 200, { Allow: ALLOWED_METHODS, Accept: 'application/sdp' });
    case 'INVITE': {
      const user = requestUser(request);
      if (user === undefined || !isKnownContact(user)) return createResponse(request, 404);
      return createResponse(request, 480, { 'Retry-After': '300' });
    }
    case 'BYE':
      return createResponse(request, 481);
    default:
      return createResponse(request, 405, { Allow: ALLOWED_METHODS });
  }
}

function requestUser(request: SipRequest): string | undefined {
  try {
    return parseSipUri(request.uri).user;
  } catch {
    return undefined;
  }
}
