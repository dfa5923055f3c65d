import { useTenantConnection } from '../api/tenant-queries.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { useCan } from '../access/use-can.js';
import { ConnectTenantForm } from './connect-tenant-form.js';
import { ConsentStateCard } from './consent-state.js';

/** Account → Microsoft 365: the tenant connection, its consent state with what to do, and Connect. */
export function TenantConnectionPage({ accountId }: { accountId: string }) {
  const connection = useTenantConnection(accountId);
  const can = useCan(accountId);
  return (
    <section className="page">
      <div className="page-head">
        <PageTitle title="Microsoft 365">Microsoft 365 tenant</PageTitle>
        {connection.data?.consentState === 'pending' && (
          <button type="button" onClick={() => void connection.refetch()} disabled={connection.isFetching}>
            Check again
          </button>
        )}
      </div>
      {connection.isPending && <Loading label="Loading the connection" />}
      <ErrorNotice error={connection.error} />
      {connection.data !== undefined && (
        <div className="columns columns-aside-first">
          <div className="stack">
            <ConsentStateCard connection={connection.data} />
            <Permissions />
          </div>
          {can('service.write') && <ConnectTenantForm accountId={accountId} connection={connection.data} />}
        </div>
      )}
    </section>
  );
}

/** What the administrator consents to (ARCHITECTURE.md "Microsoft permissions"). */
function Permissions() {
  return (
    <details className="card">
      <summary>What Callbridge may do in the tenant</summary>
      <ul className="permissions">
        <li>Read users, groups and the organisation’s licences</li>
        <li>Read Teams user settings; assign phone numbers and voice policies</li>
        <li>Install the Phone App for Phone App users</li>
      </ul>
      <p className="hint">
        Coexistence mode, external access and Direct Routing objects are set through the Teams admin API: the
        app also needs the Teams Administrator role in the tenant.
      </p>
    </details>
  );
}
