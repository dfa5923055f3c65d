import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../sip/message/sip-headers.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import { forwardedToVoicemail } from './voicemail.js';

function invite(diversion?: string): SipRequest {
  const headers = new SipHeaders();
  if (diversion) headers.append('Diversion', diversion);
  return { kind: 'request', method: 'INVITE', uri: 'sip:cb1@127.0.0.1', headers, body: Buffer.alloc(0) };
}

describe('voicemail deposit: the PBX forwarded the user’s own call to Teams', () => {
  it('a Diversion naming the user with a no-answer or busy reason asks for the Teams voicemail', () => {
    expect(forwardedToVoicemail(invite('<sip:alice@pbx>;reason=no-answer;counter=1'), 'alice')).toBe(true);
    expect(forwardedToVoicemail(invite('<sip:alice@pbx>;reason="user-busy"'), 'alice')).toBe(true);
  });

  it('no Diversion, another diverting party, or a reason that is not "did not take it": the Teams clients ring', () => {
    expect(forwardedToVoicemail(invite(), 'alice')).toBe(false);
    expect(forwardedToVoicemail(invite('<sip:bob@pbx>;reason=no-answer'), 'alice')).toBe(false);
    expect(forwardedToVoicemail(invite('<sip:alice@pbx>;reason=follow-me'), 'alice')).toBe(false);
    expect(forwardedToVoicemail(invite('not a header'), 'alice')).toBe(false);
  });
});
