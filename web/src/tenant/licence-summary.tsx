import type { LicenceLine } from '../api/types.js';
import { SKU_LABELS, trialText } from './licences-page.js';

const STATE_BADGES: Record<LicenceLine['state'], { label: string; tone: string }> = {
  ok: { label: 'in use', tone: 'badge-ok' },
  trial: { label: 'trial', tone: 'badge-info' },
  grace: { label: 'trial ended', tone: 'badge-bad' },
  short: { label: 'too few', tone: 'badge-bad' },
};

/** The warnings of the licence summary, first and prominent: a trial ending, licences short, service stopping. */
export function LicenceWarnings({ lines }: { lines: LicenceLine[] }) {
  const warned = lines.filter((l) => l.warning);
  if (warned.length === 0) return null;
  const urgent = warned.some((l) => l.state === 'grace' || l.state === 'short');
  return (
    <div
      className={urgent ? 'notice notice-error licence-warnings' : 'notice notice-warn licence-warnings'}
      role="alert"
    >
      <ul>
        {warned.map((l) => (
          <li key={l.sku}>
            <strong>{SKU_LABELS[l.sku]}:</strong> {l.warning}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One card per SKU: held, used by configured users and free, with the trial end and when the service stops. */
export function LicenceSummary({ lines }: { lines: LicenceLine[] }) {
  return (
    <div className="grid-cards licence-cards">
      {lines.map((line) => (
        <LicenceCard key={line.sku} line={line} />
      ))}
    </div>
  );
}

function LicenceCard({ line }: { line: LicenceLine }) {
  const badge = STATE_BADGES[line.state];
  const headingId = `licence-${line.sku}`;
  return (
    <article className="card licence-card" aria-labelledby={headingId} data-sku={line.sku}>
      <h2 id={headingId}>
        {SKU_LABELS[line.sku]} <span className={`badge ${badge.tone}`}>{badge.label}</span>
      </h2>
      <dl className="licence-counts">
        <div>
          <dt>Held</dt>
          <dd data-count="held">{line.held.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Used</dt>
          <dd data-count="used">{line.used.toLocaleString()}</dd>
        </div>
        <div className={line.free <= 0 ? 'licence-none-free' : undefined}>
          <dt>Free</dt>
          <dd data-count="free">{line.free.toLocaleString()}</dd>
        </div>
      </dl>
      {line.trialEndsAt && <p className="licence-when">Trial {trialText(line.trialEndsAt)}</p>}
      {line.serviceStopsAt && (
        <p className="licence-when text-bad">
          Service stops{' '}
          {new Date(line.serviceStopsAt).toLocaleDateString(undefined, {
            day: 'numeric',
            month: 'short',
            year: 'numeric',
          })}
        </p>
      )}
    </article>
  );
}
