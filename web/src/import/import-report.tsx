import type { ImportIssue, ImportPlan } from '../api/types.js';

const SEVERITY: Record<ImportIssue['severity'], { label: string; className: string }> = {
  error: { label: 'Error', className: 'badge badge-bad' },
  warning: { label: 'Warning', className: 'badge badge-warn' },
  fixed: { label: 'Fixed', className: 'badge badge-info' },
};

const ACTIONS: [key: keyof ImportPlan['counts'], label: string][] = [
  ['create', 'to create'],
  ['update', 'to update'],
  ['unchanged', 'unchanged'],
  ['error', 'with errors'],
];

/** What an import found: rows per action, then every problem or repair with its row, column and fix. */
export function ImportReport({ plan }: { plan: ImportPlan }) {
  return (
    <div className="stack">
      <dl className="counters">
        {ACTIONS.map(([key, label]) => (
          <div
            key={key}
            className={key === 'error' && (plan.counts[key] ?? 0) > 0 ? 'counter counter-bad' : 'counter'}
          >
            <dt>{label}</dt>
            <dd>{(plan.counts[key] ?? 0).toLocaleString()}</dd>
          </div>
        ))}
      </dl>
      {plan.issues.length === 0 ? (
        <p className="muted">No problems found in the file.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table import-table">
            <caption className="visually-hidden">Problems and repairs, by row</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
                <th scope="col">Fix</th>
              </tr>
            </thead>
            <tbody>
              {plan.issues.map((issue, i) => (
                <tr key={i} className={issue.severity === 'error' ? 'row-bad' : undefined}>
                  <td data-label="Row">{issue.row === 0 ? 'file' : issue.row}</td>
                  <td data-label="Column">{issue.column ?? '—'}</td>
                  <td data-label="Problem">
                    <span>
                      <span className={SEVERITY[issue.severity].className}>
                        {SEVERITY[issue.severity].label}
                      </span>{' '}
                      {issue.message}
                    </span>
                  </td>
                  <td data-label="Fix">{issue.fix ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
