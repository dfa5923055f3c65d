import { describe, expect, it } from 'vitest';
import { diversionFromHistoryInfo } from './diversion.js';

/** Microsoft's published History-Info on forwarding (CALLS.md), as one header value. */
const MICROSOFT =
  '<sip:+123456@sip.pstnhub.microsoft.com:5061;user=phone?Reason=SIP%3Bcause%3D302%3Btext%3D%22Moved%20temporarily%22>;index=1,' +
  ' <sip:+113579@sip.pstnhub.microsoft.com:5061;user=phone?Reason=SIP%3Bcause%3D496%3Btext%3D%22User%20Busy%22>;index=1.1';

describe('History-Info -> Diversion (RFC 7044 / RFC 5806, RFC 6044 causes)', () => {
  it("maps Microsoft's published sample, most recent diversion first, toward the PBX's domain", () => {
    expect(diversionFromHistoryInfo([MICROSOFT], 'pbx.example')).toBe(
      '<sip:+113579@pbx.example>;reason=user-busy;counter=1, <sip:+123456@pbx.example>;reason=unconditional;counter=1',
    );
  });

  it('entries without a Reason were not retargeted; none at all means no Diversion', () => {
    expect(diversionFromHistoryInfo(['<sip:+1@ms>;index=1'], 'pbx.example')).toBeUndefined();
    expect(diversionFromHistoryInfo([], 'pbx.example')).toBeUndefined();
    expect(diversionFromHistoryInfo(['garbage, <nonsense'], 'pbx.example')).toBeUndefined();
  });

  it('reads entries split over several headers, and unknown causes as reason=unknown', () => {
    const headers = [
      '<sip:+1@ms?Reason=SIP%3Bcause%3D408>;index=1',
      '<sip:+2@ms?Reason=SIP%3Bcause%3D499>;index=1.1',
    ];
    expect(diversionFromHistoryInfo(headers, 'p')).toBe(
      '<sip:+2@p>;reason=unknown;counter=1, <sip:+1@p>;reason=no-answer;counter=1',
    );
  });
});

describe('History-Info -> Diversion on a simultaneous ring and with the target named', () => {
  it('a branch without a Reason descending from the user is a diversion of theirs; the target is none', () => {
    const simring =
      '<sip:+4930111@sip.pstnhub.microsoft.com:5061;user=phone>;index=1,' +
      '<sip:2001@sip.pstnhub.microsoft.com:5061;user=phone>;index=1.1;mp=1';
    expect(diversionFromHistoryInfo([simring], 'pbx.example', '2001')).toBe(
      '<sip:+4930111@pbx.example>;reason=unknown;counter=1',
    );
  });

  it("without a Reason, RFC 4458's cause on the entry the call went to gives the reason", () => {
    const forwarded =
      '<sip:+4930111@ms;user=phone>;index=1,<sip:2001@ms;user=phone;cause=408>;index=1.1;mp=1';
    expect(diversionFromHistoryInfo([forwarded], 'p', '2001')).toBe(
      '<sip:+4930111@p>;reason=no-answer;counter=1',
    );
  });
});
