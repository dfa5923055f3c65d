import type { User } from '../api/types.js';
import { RegistrationDot } from './registration-dot.js';

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** The registration to the PBX as the SIP role last reported it. */
export function RegistrationDetails({ user }: { user: User }) {
  const d = user.registrationDetail;
  return (
    <section className="card" aria-labelledby="registration-heading">
      <h2 id="registration-heading">Registration</h2>
      <p>
        <RegistrationDot state={user.registrationState} />
      </p>
      <dl className="facts">
        <dt>Last success</dt>
        <dd>{when(d.lastSuccessAt)}</dd>
        <dt>Expires</dt>
        <dd>{when(d.expiresAt)}</dd>
        <dt>Last answer</dt>
        <dd>{d.statusCode ?? '—'}</dd>
        <dt>Reason</dt>
        <dd>{d.reason ?? '—'}</dd>
      </dl>
    </section>
  );
}
