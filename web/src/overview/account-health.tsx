import { Link } from '../router.js';
import { useCan } from '../access/use-can.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { RegistrationDot, REGISTRATION_MEANINGS } from '../users/registration-dot.js';
import type { RegistrationState } from '../api/types.js';
import { useAccountHealth } from './health-queries.js';
import type { AccountHealth as Health } from './health-types.js';
import { OpenAlertsPanel } from './open-alerts-panel.js';
import { CallsToday, LicencesHealth, ServicesHealth, TeamsEdgeHealth } from './health-cards.js';

/** States in the order the page lists them: the working, then the broken, then the rest. */
const SHOWN: RegistrationState[] = [
  'registered',
  'failed',
  'unconfirmed',
  'disabled',
  'pending',
  'expiring',
  'unregistered',
];

/**
 * A client account's health at a glance (issue 18): registrations with the failing users, each service's PBX and
 * last sync, licences, the Teams edge, today's calls and ASR, and open alerts. Refreshes every 30 seconds.
 */
export function AccountHealth({ accountId }: { accountId: string }) {
  const health = useAccountHealth(accountId);
  const can = useCan(accountId);
  if (health.isPending) return <Loading label="Loading the account's health" />;
  if (health.isError) return <ErrorNotice error={health.error} />;
  const h = health.data;
  return (
    <div className="health-grid" aria-label="Health">
      {h.registrations && <Registrations accountId={accountId} registrations={h.registrations} />}
      {h.services && <ServicesHealth accountId={accountId} services={h.services} />}
      {h.calls && <CallsToday accountId={accountId} calls={h.calls} />}
      {h.teamsEdge && <TeamsEdgeHealth edge={h.teamsEdge} />}
      {can('licence.read') && <LicencesHealth accountId={accountId} />}
      <OpenAlertsPanel accountId={accountId} />
      {h.hidden.length > 0 && (
        <p className="muted health-hidden">
          Not shown for your role: {h.hidden.map((p) => p.part).join('; ')}.
        </p>
      )}
    </div>
  );
}

function Registrations({
  accountId,
  registrations,
}: {
  accountId: string;
  registrations: NonNullable<Health['registrations']>;
}) {
  const { byState, total, failingUsers } = registrations;
  const failing = byState.failed + byState.unconfirmed;
  return (
    <section
      className={`card health-card ${failing > 0 ? 'health-bad' : 'health-ok'}`}
      aria-labelledby="reg-heading"
    >
      <h2 id="reg-heading">Registrations</h2>
      <p className="health-figure">
        <strong>{byState.registered.toLocaleString()}</strong> of {total.toLocaleString()} users registered
      </p>
      <ul className="health-states">
        {SHOWN.filter((s) => byState[s] > 0 || s === 'failed' || s === 'registered').map((state) => (
          <li key={state}>
            <Link to={`/accounts/${accountId}/users?state=${state}`}>
              <RegistrationDot state={state} showLabel={false} /> {REGISTRATION_MEANINGS[state].label}{' '}
              <strong>{byState[state].toLocaleString()}</strong>
            </Link>
          </li>
        ))}
      </ul>
      {failingUsers.length > 0 && (
        <>
          <h3>Failing users</h3>
          <ul className="plain-list failing-users">
            {failingUsers.map((u) => (
              <li key={u.id}>
                <Link to={`/accounts/${accountId}/users/${u.id}`}>{u.displayName}</Link>{' '}
                <span className="muted">
                  {u.statusCode ? `${u.statusCode} ` : ''}
                  {u.reason ?? ''}
                </span>
              </li>
            ))}
          </ul>
          {byState.failed > failingUsers.length && (
            <p>
              <Link to={`/accounts/${accountId}/users?state=failed`}>
                All {byState.failed.toLocaleString()} failed users
              </Link>
            </p>
          )}
        </>
      )}
    </section>
  );
}
