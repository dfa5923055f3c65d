import { useServices, useUsersPage } from '../api/queries.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { useCan } from '../access/use-can.js';
import { Pager } from './pager.js';
import { UsersFilters } from './users-filters.js';
import { toQuery, useUsersView } from './users-query.js';
import { UsersTable } from './users-table.js';

/** The users of an account: searched, filtered, sorted and paged by the server. */
export function UsersPage({ accountId }: { accountId: string }) {
  const [view, update] = useUsersView();
  const services = useServices(accountId);
  const users = useUsersPage(accountId, toQuery(view));
  const can = useCan(accountId);
  const hasService = (services.data?.length ?? 0) > 0;
  // With a cursor the server answers offset 0: the position on screen is the page's.
  const shown = users.data && {
    ...users.data,
    offset: (view.page - 1) * view.pageSize,
    count: users.data.items.length,
  };
  const filtered = Boolean(view.search || view.kind || view.registrationState || view.serviceId);
  return (
    <section className="page page-wide">
      <div className="page-head">
        <PageTitle title="Users">Users</PageTitle>
        {hasService && can('service.write') && (
          <Link className="button button-primary" to={`/accounts/${accountId}/users/new`}>
            Add a user
          </Link>
        )}
      </div>
      {services.data && !hasService && (
        <p className="notice">
          Users belong to a service. <Link to={`/accounts/${accountId}/services/new`}>Add a PBX service</Link>{' '}
          first.
        </p>
      )}
      <UsersFilters view={view} update={update} services={services.data ?? []} />
      <ErrorNotice error={users.error} />
      {users.isPending && <Loading label="Loading users" />}
      {users.data && shown && users.data.items.length > 0 && (
        <>
          <Pager shown={shown} view={view} update={update} placement="top" />
          <UsersTable
            accountId={accountId}
            users={users.data.items}
            view={view}
            update={update}
            busy={users.isFetching}
          />
          {users.data.items.length > 10 && (
            <Pager shown={shown} view={view} update={update} placement="bottom" />
          )}
        </>
      )}
      {users.data?.items.length === 0 && (
        <p className="empty" role="status">
          {filtered ? 'No users match the search and filters.' : 'No users yet.'}
          {view.page > 1 && users.data.total > 0 && (
            <>
              {' '}
              <button type="button" className="button-link" onClick={() => update({ page: 1 })}>
                Go to the first page
              </button>
            </>
          )}
        </p>
      )}
    </section>
  );
}
