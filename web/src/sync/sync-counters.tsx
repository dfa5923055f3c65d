import { COUNTER_LABELS } from './sync-plan.js';

/** A run's counters as a compact list of "label value" pairs; warns in colour when conflicts or errors. */
export function SyncCounters({ counters }: { counters: Record<string, number> }) {
  const known = COUNTER_LABELS.filter(([key]) => counters[key] !== undefined);
  if (known.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="counters">
      {known.map(([key, label]) => {
        const value = counters[key] ?? 0;
        const alarming = (key === 'errors' || key === 'conflicts') && value > 0;
        return (
          <div key={key} className={alarming ? 'counter counter-bad' : 'counter'}>
            <dt>{label}</dt>
            <dd>{value.toLocaleString()}</dd>
          </div>
        );
      })}
    </dl>
  );
}
