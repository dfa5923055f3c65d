import { PageTitle } from '../components/status.js';
import { navigate, useLocation } from '../router.js';
import { RESULT_LABELS } from './call-format.js';
import { CallLog } from './call-log.js';
import type { CallFilters } from './calls-queries.js';

/** The account's calls with filters kept in the address (result, direction, number), so a view can be shared. */
export function CallsPage({ accountId }: { accountId: string }) {
  const { search } = useLocation();
  const filters: CallFilters = {};
  for (const key of ['result', 'direction', 'number'] as const) {
    const value = search.get(key);
    if (value) filters[key] = value;
  }
  const set = (key: keyof CallFilters, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    const query = next.toString();
    navigate(`/accounts/${accountId}/calls${query ? `?${query}` : ''}`, { replace: true });
  };
  return (
    <section className="page">
      <PageTitle title="Calls">Calls</PageTitle>
      <form className="filters" role="search" aria-label="Filter calls" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>Result</span>
          <select value={filters.result ?? ''} onChange={(e) => set('result', e.target.value)}>
            <option value="">Any</option>
            {Object.entries(RESULT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Direction</span>
          <select value={filters.direction ?? ''} onChange={(e) => set('direction', e.target.value)}>
            <option value="">Both</option>
            <option value="pbx-to-teams">PBX → Teams</option>
            <option value="teams-to-pbx">Teams → PBX</option>
          </select>
        </label>
        <label className="field">
          <span>Number starts with</span>
          <input
            type="search"
            inputMode="tel"
            defaultValue={filters.number ?? ''}
            onChange={(e) => {
              const value = e.target.value.trim();
              if (value === '' || /^\+?[0-9*#]{1,32}$/.test(value)) set('number', value);
            }}
          />
        </label>
      </form>
      <CallLog key={JSON.stringify(filters)} accountId={accountId} filters={filters} />
    </section>
  );
}
