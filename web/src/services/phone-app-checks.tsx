import { useRunPhoneAppChecks } from '../api/phone-app-queries.js';
import type { PhoneAppFinding } from '../api/types.js';
import { ErrorNotice } from '../components/status.js';

const CHECKS: { check: PhoneAppFinding['check']; label: string }[] = [
  { check: 'teams_only', label: 'Teams Only' },
  { check: 'external_access', label: 'External access' },
  { check: 'licence', label: 'Licence' },
];

/** "Run checks": what keeps Phone App users from working (coexistence mode, external access, licences), with fixes. */
export function PhoneAppChecks({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const run = useRunPhoneAppChecks(accountId, serviceId);
  const findings = run.data?.findings ?? [];
  return (
    <section className="card" aria-labelledby="checks-heading">
      <h2 id="checks-heading">Phone App checks</h2>
      <p className="muted">
        Reads the tenant now: Phone App users must be in Teams Only mode, external access must let the Phone
        App reach them, and they need the right licences.
      </p>
      <div className="actions">
        <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>
          {run.isPending ? 'Checking…' : 'Run checks'}
        </button>
      </div>
      <ErrorNotice error={run.error} title="The checks could not run." />
      {run.data && (
        <div className="checks-result" role="status">
          <p>
            {findings.length === 0
              ? `No problems found (${run.data.checkedUsers} users checked).`
              : `${findings.length === 1 ? 'One problem' : `${findings.length} problems`} found (${run.data.checkedUsers} users checked).`}
          </p>
          {CHECKS.map(({ check, label }) => (
            <CheckGroup key={check} label={label} findings={findings.filter((f) => f.check === check)} />
          ))}
        </div>
      )}
    </section>
  );
}

function CheckGroup({ label, findings }: { label: string; findings: PhoneAppFinding[] }) {
  return (
    <section className="check-group" aria-label={label}>
      <h3>
        {label}{' '}
        <span className={`badge ${findings.length ? 'badge-bad' : 'badge-ok'}`}>
          {findings.length ? findings.length : 'ok'}
        </span>
      </h3>
      {findings.length > 0 && (
        <ul className="findings">
          {findings.map((f, i) => (
            <li key={`${f.user ?? 'tenant'}-${i}`} className="finding">
              <p className="finding-who">{f.user ?? 'Whole tenant'}</p>
              <p>{f.message}</p>
              <ol className="finding-fix" aria-label="How to fix">
                {f.fix.map((step) => (
                  <li key={step}>{step}</li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
