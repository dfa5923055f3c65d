import { describe, expect, it } from 'vitest';
import { answerFor, directionOf, pbxOfferTowardTeams, withDirection } from './sdp-direction.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

describe('SDP direction attributes', () => {
  it('reads the media-level direction, else the session-level one, else sendrecv', () => {
    expect(directionOf(SDP)).toBe('sendrecv');
    expect(directionOf(`${SDP}a=sendonly\r\n`)).toBe('sendonly');
    expect(directionOf(SDP.replace('t=0 0\r\n', 't=0 0\r\na=inactive\r\n'))).toBe('inactive');
  });

  it('replaces every direction line with one per media section, leaving the rest byte for byte', () => {
    const held = withDirection(
      SDP.replace('t=0 0\r\n', 't=0 0\r\na=sendonly\r\n') + 'a=sendonly\r\n',
      'inactive',
    );
    expect(held).toBe(`${SDP}a=inactive\r\n`);
    expect(directionOf(held)).toBe('inactive');
  });

  it("maps the PBX's hold for Microsoft: a=inactive, or sendrecv so the PBX's music reaches Teams", () => {
    expect(pbxOfferTowardTeams('sendonly', 'inactive')).toBe('inactive');
    expect(pbxOfferTowardTeams('sendonly', 'music-from-pbx')).toBe('sendrecv');
    expect(pbxOfferTowardTeams('inactive', 'music-from-pbx')).toBe('inactive');
    expect(pbxOfferTowardTeams('sendrecv', 'inactive')).toBe('sendrecv');
  });

  it('makes an answer valid for its offer (RFC 3264 6.1): sendrecv to sendonly becomes recvonly', () => {
    expect(answerFor('sendonly', 'sendrecv')).toBe('recvonly');
    expect(answerFor('sendonly', 'inactive')).toBe('inactive');
    expect(answerFor('inactive', 'sendrecv')).toBe('inactive');
    expect(answerFor('sendrecv', 'sendrecv')).toBe('sendrecv');
  });
});
