import type { User, UserSort } from '../api/types.js';
import { Link } from '../router.js';
import { KindIcon } from './kind-icon.js';
import { NumberWithType } from './number-with-type.js';
import { readinessWarnings } from './readiness.js';
import { RegistrationDot } from './registration-dot.js';
import type { UsersView } from './users-query.js';

/** One page of users. Column headers sort on the server; the whole list is never in the browser. */
export function UsersTable({
  accountId,
  users,
  view,
  update,
  busy,
}: {
  accountId: string;
  users: User[];
  view: UsersView;
  update: (patch: Partial<UsersView>) => void;
  busy: boolean;
}) {
  const header = (sort: UserSort, label: string) => (
    <SortHeader sort={sort} label={label} view={view} update={update} />
  );
  return (
    <div className="table-wrap">
      <table className="data-table users-table" aria-busy={busy}>
        <caption className="visually-hidden">Users, sorted by {view.sort}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-kind">
              <span className="visually-hidden">Kind</span>
            </th>
            {header('displayName', 'Name')}
            {header('email', 'Email')}
            {header('phoneNumber', 'Number')}
            <th scope="col">Registration</th>
            <th scope="col">Readiness</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <UserRow key={u.id} accountId={accountId} user={u} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UserRow({ accountId, user }: { accountId: string; user: User }) {
  const warnings = readinessWarnings(user);
  return (
    <tr>
      <td className="col-kind">
        <KindIcon kind={user.kind} />
      </td>
      <td data-label="Name" className="col-name">
        <Link to={`/accounts/${accountId}/users/${user.id}`}>{user.displayName}</Link>
      </td>
      <td data-label="Email" className="col-email">
        {user.email}
      </td>
      <td data-label="Number">
        <NumberWithType user={user} />
      </td>
      <td data-label="Registration">
        <RegistrationDot state={user.registrationState} />
      </td>
      <td data-label="Readiness">
        <div>
          {warnings.length === 0 ? (
            <span className="ready">Ready</span>
          ) : (
            <ul className="warnings">
              {warnings.map((w) => (
                <li key={w.short} className="badge badge-warn" title={w.detail}>
                  {w.short}
                  <span className="visually-hidden">: {w.detail}</span>
                </li>
              ))}
            </ul>
          )}
          {user.syncError && (
            <p className="row-problem" data-testid="sync-error">
              <span className="muted">Microsoft 365:</span> {user.syncError}
            </p>
          )}
        </div>
      </td>
    </tr>
  );
}

function SortHeader({
  sort,
  label,
  view,
  update,
}: {
  sort: UserSort;
  label: string;
  view: UsersView;
  update: (patch: Partial<UsersView>) => void;
}) {
  const active = view.sort === sort;
  const next = active && view.order === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" aria-sort={active ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className="sort-button"
        onClick={() => update({ sort, order: next })}
        aria-label={`${label}: sort ${next === 'asc' ? 'ascending' : 'descending'}`}
      >
        {label}
        <span aria-hidden="true" className="sort-arrow">
          {active ? (view.order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
