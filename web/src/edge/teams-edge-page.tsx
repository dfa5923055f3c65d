import { useTeamsEdge } from '../api/edge-queries.js';
import type { Administrator, TeamsEdgeState } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { ProxyHealthTable, refusedCertificate } from './proxy-health-table.js';

/**
 * Provider level → Teams edge: each Microsoft proxy's state (healthy by Microsoft's 3-minute rule), the last
 * OPTIONS, failures, the certificate's days left, and Microsoft's 403 when it refused our certificate. One edge
 * serves every customer, so only platform operators see it (the API answers 403 to anyone else).
 */
export function TeamsEdgePage({ administrator }: { administrator: Administrator }) {
  const operator = administrator.platformOperator === true;
  const edge = useTeamsEdge(operator);
  return (
    <section className="page">
      <PageTitle title="Teams edge">Teams edge</PageTitle>
      <p className="muted">
        The Direct Routing connection to Microsoft Teams: OPTIONS every minute to each Microsoft proxy;
        Microsoft counts the trunk healthy while an OPTIONS was answered within the last 3 minutes.
      </p>
      {!operator && (
        <p className="notice notice-warn" role="status">
          Only platform operators see the Teams edge: it is shared by every customer of this installation.
        </p>
      )}
      {edge.isPending && operator && <Loading label="Loading the Teams edge" />}
      <ErrorNotice error={edge.error} />
      {edge.data && !edge.data.configured && <NotConfigured />}
      {edge.data?.configured && <Configured edge={edge.data} />}
    </section>
  );
}

/** What to set before the edge runs (it starts with the sip role once a certificate and key are configured). */
function NotConfigured() {
  return (
    <section className="card" aria-labelledby="edge-off-heading">
      <h2 id="edge-off-heading">Edge not configured</h2>
      <p>This process runs no Teams edge. Set these and restart Callbridge with the sip role:</p>
      <dl className="facts">
        <dt className="mono">CALLBRIDGE_SBC_DOMAIN</dt>
        <dd>the provider&apos;s SBC domain; each customer gets a subdomain of it</dd>
        <dt className="mono">CALLBRIDGE_SBC_CERT_FILE</dt>
        <dd>PEM certificate for the domain and *.domain (a public CA Microsoft trusts)</dd>
        <dt className="mono">CALLBRIDGE_SBC_KEY_FILE</dt>
        <dd>its private key (PEM)</dd>
        <dt className="mono">CALLBRIDGE_SBC_SIGNALLING_PORT</dt>
        <dd>the TLS port Microsoft reaches (default 5061)</dd>
      </dl>
    </section>
  );
}

function Configured({ edge }: { edge: TeamsEdgeState }) {
  const refused = edge.proxies.filter(refusedCertificate);
  const days = edge.certificate?.daysLeft;
  return (
    <>
      {refused.length > 0 && (
        <div className="notice notice-error" role="alert">
          <strong>Microsoft refused our certificate. </strong>
          {refused.map((p) => `${p.proxy}: ${p.lastError ?? '403'}`).join('; ')}. The FQDN we present (the
          Contact host) must be covered by the certificate&apos;s names.
        </div>
      )}
      <dl className="facts">
        <dt>Base domain</dt>
        <dd className="mono">{edge.baseDomain}</dd>
        <dt>Signalling port</dt>
        <dd>{edge.port}</dd>
        <dt>Certificate</dt>
        <dd>
          {edge.certificate ? (
            <>
              <span className={days !== undefined && days < 14 ? 'text-bad' : undefined}>
                {days === 1 ? '1 day left' : `${days} days left`}
              </span>{' '}
              <span className="muted">
                (until {new Date(edge.certificate.validTo).toLocaleDateString()};{' '}
                {edge.certificate.dnsNames.join(', ')})
              </span>
            </>
          ) : (
            'unknown'
          )}
        </dd>
        <dt>Refused requests</dt>
        <dd>
          {edge.refused
            ? `${edge.refused.source} from outside Microsoft's ranges, ${edge.refused.unknownHost} unknown host, ${edge.refused.unknownNumber} unknown number`
            : 'none'}
        </dd>
        <dt>Failovers</dt>
        <dd>{edge.failovers ?? 0}</dd>
      </dl>
      <h2>Microsoft proxies</h2>
      <ProxyHealthTable proxies={edge.proxies} caption="Microsoft proxies" />
      <CustomerOptions edge={edge} />
    </>
  );
}

/** OPTIONS from each customer's subdomain (carrier model), when CALLBRIDGE_TEAMS_CUSTOMER_OPTIONS is on. */
function CustomerOptions({ edge }: { edge: TeamsEdgeState }) {
  const options = edge.customerOptions;
  return (
    <section aria-labelledby="customer-options-heading">
      <h2 id="customer-options-heading">Per-customer OPTIONS</h2>
      {!options?.enabled ? (
        <p className="muted">
          Off: only the base domain sends OPTIONS (customers&apos; trunks inherit its health). Set{' '}
          <span className="mono">CALLBRIDGE_TEAMS_CUSTOMER_OPTIONS=true</span> to send them from each
          customer&apos;s subdomain too.
        </p>
      ) : options.customers.length === 0 ? (
        <p className="empty">No customer subdomain is verified in a tenant yet: a sync creates them.</p>
      ) : (
        options.customers.map((customer) => (
          <section key={customer.fqdn} aria-label={customer.fqdn}>
            <h3 className="mono">{customer.fqdn}</h3>
            <ProxyHealthTable proxies={customer.proxies} caption={`Microsoft proxies for ${customer.fqdn}`} />
          </section>
        ))
      )}
    </section>
  );
}
