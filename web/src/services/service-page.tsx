import { useService } from '../api/queries.js';
import type { Service } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { ServiceForm } from './service-form.js';

/** A service's settings, or the form for a new one (serviceId undefined). */
export function ServicePage({ accountId, serviceId }: { accountId: string; serviceId: string | undefined }) {
  return serviceId ? (
    <ExistingService accountId={accountId} serviceId={serviceId} />
  ) : (
    <section className="page page-narrow">
      <Breadcrumb accountId={accountId} />
      <PageTitle title="Add a PBX service">Add a PBX service</PageTitle>
      <p className="muted">
        Callbridge registers each Teams user to this PBX like a desk phone, with the user’s SIP credentials.
      </p>
      <ServiceForm accountId={accountId} service={undefined} />
    </section>
  );
}

function ExistingService({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const service = useService(accountId, serviceId);
  if (service.isPending) return <Loading label="Loading the service" />;
  if (service.isError) return <ErrorNotice error={service.error} />;
  return (
    <section className="page page-narrow">
      <Breadcrumb accountId={accountId} />
      <PageTitle title={service.data.name}>{service.data.name}</PageTitle>
      <ServiceForm accountId={accountId} service={service.data} />
      <TeamsSummary service={service.data} />
    </section>
  );
}

function Breadcrumb({ accountId }: { accountId: string }) {
  return (
    <p className="eyebrow">
      <Link to={`/accounts/${accountId}/services`}>Services</Link>
    </p>
  );
}

/** What is set on the Teams side of the service; the settings themselves arrive with the Teams services API. */
function TeamsSummary({ service }: { service: Service }) {
  const { teams } = service;
  const consent = { not_requested: 'not requested', granted: 'granted', denied: 'denied' }[
    teams.phoneAppConsent
  ];
  return (
    <section className="card" aria-labelledby="teams-heading">
      <h2 id="teams-heading">Microsoft Teams</h2>
      <dl className="facts">
        <dt>Phone App</dt>
        <dd>{teams.phoneAppEnabled ? `on (consent ${consent})` : 'off'}</dd>
        <dt>Large Tenant Mode</dt>
        <dd>
          {teams.largeTenantMode
            ? `on, ${teams.standardGroupIds.length} standard groups`
            : 'off (all users are synced)'}
        </dd>
      </dl>
    </section>
  );
}
