import type { ReactNode } from 'react';
import { useService } from '../api/queries.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import type { Service } from '../api/types.js';

const TABS = [
  { tab: 'settings', label: 'Settings', path: '' },
  { tab: 'teams', label: 'Teams services', path: '/teams' },
  { tab: 'sync', label: 'Sync', path: '/sync' },
  { tab: 'import', label: 'Import and export', path: '/import' },
] as const;
export type ServiceTab = (typeof TABS)[number]['tab'];

/**
 * The frame of an existing service's pages: breadcrumb, the service's name as the title, and links to its
 * settings, sync and import pages (the current one marked); the page's content gets the loaded service.
 */
export function ServiceFrame({
  accountId,
  serviceId,
  tab,
  children,
}: {
  accountId: string;
  serviceId: string;
  tab: ServiceTab;
  children: (service: Service) => ReactNode;
}) {
  const service = useService(accountId, serviceId);
  if (service.isPending) return <Loading label="Loading the service" />;
  if (service.isError) return <ErrorNotice error={service.error} />;
  const label = TABS.find((t) => t.tab === tab)!.label;
  const base = `/accounts/${accountId}/services/${serviceId}`;
  return (
    <section className={tab === 'settings' ? 'page page-narrow' : 'page'}>
      <p className="eyebrow">
        <Link to={`/accounts/${accountId}/services`}>Services</Link>
      </p>
      <PageTitle title={tab === 'settings' ? service.data.name : `${label} · ${service.data.name}`}>
        {service.data.name}
      </PageTitle>
      <nav className="tabs" aria-label="Service pages">
        <ul>
          {TABS.map((t) => (
            <li key={t.tab}>
              <Link to={`${base}${t.path}`} aria-current={t.tab === tab ? 'page' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {children(service.data)}
    </section>
  );
}
