import { useRetryRegistration } from '../api/registration-queries.js';
import type { User } from '../api/types.js';
import { ErrorNotice } from '../components/status.js';
import { RegistrationDot } from './registration-dot.js';

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** What comes next after a failure: nothing until someone acts (final), or the next attempt's time. */
function nextAttempt(user: User): string {
  if (user.registrationState !== 'failed') return '—';
  if (user.registrationDetail.final) return 'None: fix the settings or the PBX, then retry now';
  return when(user.registrationDetail.retryAt);
}

/** The registration to the PBX as the SIP role last reported it, with "Retry now" after a failure. */
export function RegistrationDetails({ accountId, user }: { accountId: string; user: User }) {
  const d = user.registrationDetail;
  const retry = useRetryRegistration(accountId, user.id);
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
        <dt>Next attempt</dt>
        <dd>{nextAttempt(user)}</dd>
      </dl>
      {user.registrationState === 'failed' && (
        <p>
          <button
            type="button"
            className="button-small"
            disabled={retry.isPending}
            onClick={() => retry.mutate()}
          >
            Retry now
          </button>
        </p>
      )}
      <ErrorNotice error={retry.error} />
    </section>
  );
}
