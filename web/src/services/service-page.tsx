import type { Service } from '../api/types.js';
import { PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { CallSettingsForm } from './call-settings-form.js';
import { PbxReachabilityBadge } from './pbx-reachability-badge.js';
import { ServiceForm } from './service-form.js';
import { ServiceFrame } from './service-tabs.js';
import { TrunkSection } from './trunk-section.js';

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
  return (
    <ServiceFrame accountId={accountId} serviceId={serviceId} tab="settings">
      {(service) => (
        <>
          <PbxReachabilityBadge service={service} />
          <ServiceForm accountId={accountId} service={service} />
          <CallSettingsForm accountId={accountId} service={service} />
          {service.kind === 'trunk' && <TrunkSection accountId={accountId} serviceId={service.id} />}
          <TeamsSummary accountId={accountId} service={service} />
        </>
      )}
    </ServiceFrame>
  );
}

function Breadcrumb({ accountId }: { accountId: string }) {
  return (
    <p className="eyebrow">
      <Link to={`/accounts/${accountId}/services`}>Services</Link>
    </p>
  );
}

/** What is set on the Teams side of the service; changed on the Teams services tab. */
function TeamsSummary({ accountId, service }: { accountId: string; service: Service }) {
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
      <p className="hint">
        <Link to={`/accounts/${accountId}/services/${service.id}/teams`}>
          Change on the Teams services tab
        </Link>
      </p>
    </section>
  );
}
