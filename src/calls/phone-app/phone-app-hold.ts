import type { SipRequest } from '../../sip/message/sip-message.js';
import { directionOf, withDirection } from '../sdp-direction.js';

/**
 * A Teams user's hold as the PBX leg of a Phone App call gets it (issue 20, the field's documented behaviour:
 * `a=inactive` both ways): Teams' hold offer (`sendonly`, or `inactive`) becomes `a=inactive`, which tells the
 * PBX the far party is on hold so it plays its own music on hold to them; anything else (a resume with
 * `sendrecv`, a new address) passes unchanged. Only the direction lines change (`withDirection`).
 *
 * @example relayReinvite(legs, 'teams', holdTowardPbx(request));
 */
export function holdTowardPbx(request: SipRequest): SipRequest {
  const sdp = request.body.toString('utf8');
  if (sdp.length === 0) return request;
  const direction = directionOf(sdp);
  if (direction !== 'sendonly' && direction !== 'inactive') return request;
  return { ...request, body: Buffer.from(withDirection(sdp, 'inactive')) };
}
