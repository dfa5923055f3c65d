import type { RegistrationState } from '../api/types.js';

export const REGISTRATION_MEANINGS: Record<RegistrationState, { label: string; meaning: string }> = {
  registered: { label: 'Registered', meaning: 'The PBX accepted the registration (2xx).' },
  failed: { label: 'Failed', meaning: 'The PBX refused or did not answer the registration.' },
  disabled: {
    label: 'Disabled',
    meaning: 'Registration is off, the SIP credentials are incomplete, or there is no licence.',
  },
  pending: { label: 'Pending', meaning: 'The first registration is queued.' },
  expiring: {
    label: 'Expiring',
    meaning: 'Registrations work but do not keep up with the expiry: set a longer expiry on the PBX.',
  },
  unconfirmed: {
    label: 'Unconfirmed',
    meaning:
      'The PBX stopped answering: it may have lost this registration. Callbridge renews it as soon as the PBX answers.',
  },
  unregistered: {
    label: 'Unregistered',
    meaning:
      'Callbridge unregistered the user when its SIP service stopped; it registers again when it runs.',
  },
};

/**
 * A coloured dot with the state's name; its meaning shows on hover and on keyboard focus (title and a tooltip),
 * and is read out by screen readers.
 */
export function RegistrationDot({
  state,
  showLabel = true,
}: {
  state: RegistrationState;
  showLabel?: boolean;
}) {
  const { label, meaning } = REGISTRATION_MEANINGS[state];
  return (
    <span
      className={`reg reg-${state}`}
      role="img"
      tabIndex={0}
      title={`${label}: ${meaning}`}
      aria-label={`Registration ${label.toLowerCase()}: ${meaning}`}
    >
      <span className="reg-dot" aria-hidden="true" />
      {showLabel && (
        <span className="reg-label" aria-hidden="true">
          {label}
        </span>
      )}
      <span className="tooltip" role="tooltip" aria-hidden="true">
        {meaning}
      </span>
    </span>
  );
}
