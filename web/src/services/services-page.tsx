import { useServices } from '../api/queries.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { useCan } from '../access/use-can.js';
import { templateLabel } from './pbx-templates.js';

/** The PBX and trunk services of an account. */
export function ServicesPage({ accountId }: { accountId: string }) {
  const services = useServices(accountId);
  const can = useCan(accountId);
  return (
    <section className="page">
      <div className="page-head">
        <PageTitle title="Services">Services</PageTitle>
        {can('service.write') && (
          <Link className="button button-primary" to={`/accounts/${accountId}/services/new`}>
            Add a PBX service
          </Link>
        )}
      </div>
      {services.isPending && <Loading label="Loading services" />}
      <ErrorNotice error={services.error} />
      {services.data?.length === 0 && (
        <p className="empty">
          No services yet. Add the PBX your users register to; then add users and give them numbers and SIP
          credentials.
        </p>
      )}
      {services.data && services.data.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">PBX</th>
                <th scope="col">SIP domain</th>
                <th scope="col">Transport</th>
                <th scope="col">Location</th>
              </tr>
            </thead>
            <tbody>
              {services.data.map((s) => (
                <tr key={s.id}>
                  <td data-label="Name">
                    <Link to={`/accounts/${accountId}/services/${s.id}`}>{s.name}</Link>
                  </td>
                  <td data-label="Type">{s.kind === 'pbx' ? 'PBX' : 'SIP trunk'}</td>
                  <td data-label="PBX">{templateLabel(s.pbxType)}</td>
                  <td data-label="SIP domain">
                    <code>{s.sipDomain}</code>
                  </td>
                  <td data-label="Transport">
                    {s.transport.toUpperCase()}
                    {s.proxyHost && <span className="muted"> via {s.proxyHost}</span>}
                  </td>
                  <td data-label="Location">{s.location}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
