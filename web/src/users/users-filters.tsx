import { useEffect, useRef, useState } from 'react';
import type { Service } from '../api/types.js';
import { KIND_LABELS } from './kind-icon.js';
import { REGISTRATION_MEANINGS } from './registration-dot.js';
import type { UsersView } from './users-query.js';

const SEARCH_DELAY_MS = 300;

/** Search (debounced: one request after typing stops) and filters above the users table. */
export function UsersFilters({
  view,
  update,
  services,
}: {
  view: UsersView;
  update: (patch: Partial<UsersView>) => void;
  services: Service[];
}) {
  const [search, setSearch] = useState(view.search);
  // The latest update function, so that re-renders while typing do not restart the delay.
  const latestUpdate = useRef(update);
  useEffect(() => {
    latestUpdate.current = update;
  });
  useEffect(() => {
    if (search.trim() === view.search) return;
    const timer = setTimeout(() => latestUpdate.current({ search: search.trim() }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, view.search]);

  return (
    <div className="filters" role="search" aria-label="Find users">
      <div className="field filter-search">
        <label htmlFor="user-search">Search</label>
        <input
          id="user-search"
          type="search"
          placeholder="Name, email, number or SIP username"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          maxLength={200}
        />
      </div>
      <div className="field">
        <label htmlFor="user-kind">Kind</label>
        <select
          id="user-kind"
          value={view.kind ?? ''}
          onChange={(e) => update({ kind: (e.target.value || undefined) as UsersView['kind'] })}
        >
          <option value="">All kinds</option>
          {Object.entries(KIND_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="user-state">Registration</label>
        <select
          id="user-state"
          value={view.registrationState ?? ''}
          onChange={(e) =>
            update({ registrationState: (e.target.value || undefined) as UsersView['registrationState'] })
          }
        >
          <option value="">All states</option>
          {Object.entries(REGISTRATION_MEANINGS).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {services.length > 1 && (
        <div className="field">
          <label htmlFor="user-service">Service</label>
          <select
            id="user-service"
            value={view.serviceId ?? ''}
            onChange={(e) => update({ serviceId: e.target.value || undefined })}
          >
            <option value="">All services</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      )}
    </div>
  );
}
