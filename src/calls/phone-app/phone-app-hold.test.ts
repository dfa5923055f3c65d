import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import type { SipRequest } from '../../sip/message/sip-message.js';
import { directionOf } from '../sdp-direction.js';
import { holdTowardPbx } from './phone-app-hold.js';

const sdp = (direction: string) =>
  `v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=${direction}\r\n`;

function reinvite(body: string): SipRequest {
  return {
    kind: 'request',
    method: 'INVITE',
    uri: 'sip:cb@sbc',
    headers: new SipHeaders(),
    body: Buffer.from(body),
  };
}

describe('holdTowardPbx: a Teams hold reaches the PBX leg of a Phone App call as a=inactive', () => {
  it.each(['sendonly', 'inactive'])(
    'Teams holding with a=%s: the PBX is offered a=inactive only',
    (direction) => {
      const out = holdTowardPbx(reinvite(sdp(direction))).body.toString();
      expect(directionOf(out)).toBe('inactive');
      expect(out.match(/^a=(sendrecv|sendonly|recvonly|inactive)/gm)).toEqual(['a=inactive']);
      expect(out).toContain('m=audio 4000 RTP/SAVP 0');
    },
  );

  it('a resume (sendrecv) and a session refresh without SDP pass unchanged', () => {
    const resume = reinvite(sdp('sendrecv'));
    expect(holdTowardPbx(resume)).toBe(resume);
    const refresh = reinvite('');
    expect(holdTowardPbx(refresh)).toBe(refresh);
  });
});
