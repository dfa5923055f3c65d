import { usePhoneAppStatus } from '../api/phone-app-queries.js';
import { useCan } from '../access/use-can.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { LargeTenantForm } from './large-tenant-form.js';
import { PhoneAppChecks } from './phone-app-checks.js';
import { PhoneAppSection } from './phone-app-section.js';
import { ServiceFrame } from './service-tabs.js';

/** Service → Teams services: the Phone App add-on (enable, authorize, sync, checks) and Large Tenant Mode. */
export function TeamsServicesPage({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  return (
    <ServiceFrame accountId={accountId} serviceId={serviceId} tab="teams">
      {() => <TeamsServices accountId={accountId} serviceId={serviceId} />}
    </ServiceFrame>
  );
}

function TeamsServices({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const status = usePhoneAppStatus(accountId, serviceId);
  const can = useCan(accountId);
  if (status.isPending) return <Loading label="Loading the Teams services settings" />;
  if (status.isError) return <ErrorNotice error={status.error} />;
  const writable = can('service.write');
  return (
    <div className="columns teams-columns">
      <div className="stack">
        <PhoneAppSection
          accountId={accountId}
          serviceId={serviceId}
          status={status.data}
          writable={writable}
        />
        {status.data.provisioned && <PhoneAppChecks accountId={accountId} serviceId={serviceId} />}
      </div>
      <LargeTenantForm
        accountId={accountId}
        serviceId={serviceId}
        teams={status.data.teams}
        phoneApp={status.data.provisioned}
        writable={writable}
      />
    </div>
  );
}
