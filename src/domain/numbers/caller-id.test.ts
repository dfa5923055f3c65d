import { describe, expect, it } from 'vitest';
import { callerIdAfterNumberChange, checkCallerId } from './caller-id.js';

describe('checkCallerId', () => {
  const trunk = {
    serviceKind: 'trunk' as const,
    ownNumber: '+441235123465',
    serviceNumbers: new Set(['+441235123400']),
  };

  it("allows the user's own number and a service number of the trunk", () => {
    expect(checkCallerId('+441235123465', trunk)).toEqual({ ok: true });
    expect(checkCallerId('+441235123400', trunk)).toEqual({ ok: true });
  });

  it('refuses any other number, listing the service numbers to choose from', () => {
    const refused = checkCallerId('+441235999999', trunk);
    expect(refused).toMatchObject({ ok: false, code: 'validation_failed', details: { field: 'callerId' } });
    expect(refused.ok ? '' : refused.message).toContain(
      "neither the user's own number (+441235123465) nor a service number of this trunk. The service numbers are +441235123400.",
    );
    const none = checkCallerId('+441235999999', { ...trunk, ownNumber: null, serviceNumbers: new Set() });
    expect(none.ok ? '' : none.message).toContain('The service has no service numbers yet');
  });

  it('refuses a caller ID on a PBX service, saying the PBX presents it', () => {
    const refused = checkCallerId('+441235123465', { ...trunk, serviceKind: 'pbx' });
    expect(refused.ok ? '' : refused.message).toContain('the PBX presents the caller ID');
  });
});

describe('callerIdAfterNumberChange', () => {
  it("follows the user's own number when it changes, and goes when it is removed", () => {
    expect(callerIdAfterNumberChange('+441235123401', '+441235123401', '+441235123402')).toBe(
      '+441235123402',
    );
    expect(callerIdAfterNumberChange('+441235123401', '+441235123401', null)).toBeNull();
  });

  it('keeps a service number, and keeps no caller ID as none', () => {
    expect(callerIdAfterNumberChange('+441235123400', '+441235123401', '+441235123402')).toBe(
      '+441235123400',
    );
    expect(callerIdAfterNumberChange(null, '+441235123401', '+441235123402')).toBeNull();
  });
});
