import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { onUnauthenticated } from './api/client.js';
import { keys, useSession } from './api/queries.js';
import { AccountPage } from './accounts/account-page.js';
import { AdministratorsPage } from './access/administrators-page.js';
import { AuditPage } from './access/audit-page.js';
import { InvitationPage } from './access/invitation-page.js';
import { HomePage } from './accounts/home-page.js';
import type { Administrator } from './api/types.js';
import { Header } from './components/header.js';
import { SuspensionBanner } from './components/suspension-banner.js';
import { ChangePasswordPage } from './pages/change-password-page.js';
import { ErrorNotice, Loading } from './components/status.js';
import { matchRoute, routeAccountId, useLocation, type Route } from './router.js';
import { CallPage } from './calls/call-page.js';
import { CallsPage } from './calls/calls-page.js';
import { AlertsPage } from './alerts/alerts-page.js';
import { AlertSubscriptionsPage } from './alerts/alert-subscriptions-page.js';
import { ServicePage } from './services/service-page.js';
import { ServicesPage } from './services/services-page.js';
import { TeamsServicesPage } from './services/teams-services-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { ImportPage } from './import/import-page.js';
import { SyncPage } from './sync/sync-page.js';
import { TeamsEdgePage } from './edge/teams-edge-page.js';
import { LicencesPage } from './tenant/licences-page.js';
import { TenantConnectionPage } from './tenant/tenant-connection-page.js';
import { UserPage } from './users/user-page.js';
import { UsersPage } from './users/users-page.js';

/** The portal: sign-in until there is a session, then the page the address names. */
export function App() {
  const session = useSession();
  const client = useQueryClient();
  const { pathname } = useLocation();

  useEffect(() => onUnauthenticated(() => client.setQueryData(keys.session, null)), [client]);

  // An invitation link is for someone who may not have a sign-in yet (or is signed in as someone else).
  if (pathname === '/invitation') return <InvitationPage />;
  if (session.isPending) return <Loading label="Loading Callbridge" />;
  if (session.isError) return <ErrorNotice error={session.error} />;
  if (!session.data) return <SignInPage />;
  // Signed in with a password someone else chose (first start, an operator): nothing else until it is changed.
  if (session.data.mustChangePassword) return <ChangePasswordPage administrator={session.data} forced />;

  const route = matchRoute(pathname);
  const accountId = routeAccountId(route);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header administrator={session.data} route={route} />
      <main id="main" tabIndex={-1}>
        {accountId && <SuspensionBanner key={accountId} accountId={accountId} />}
        <RoutePage route={route} administrator={session.data} />
      </main>
    </>
  );
}

function RoutePage({ route, administrator }: { route: Route; administrator: Administrator }) {
  switch (route.page) {
    case 'home':
      return <HomePage />;
    case 'password':
      return <ChangePasswordPage administrator={administrator} />;
    case 'teams-edge':
      return <TeamsEdgePage administrator={administrator} />;
    case 'account':
      return <AccountPage key={route.accountId} accountId={route.accountId} />;
    case 'services':
      return <ServicesPage key={route.accountId} accountId={route.accountId} />;
    case 'service':
      return (
        <ServicePage key={route.serviceId ?? 'new'} accountId={route.accountId} serviceId={route.serviceId} />
      );
    case 'service-sync':
      return <SyncPage key={route.serviceId} accountId={route.accountId} serviceId={route.serviceId} />;
    case 'service-teams':
      return (
        <TeamsServicesPage key={route.serviceId} accountId={route.accountId} serviceId={route.serviceId} />
      );
    case 'service-import':
      return <ImportPage key={route.serviceId} accountId={route.accountId} serviceId={route.serviceId} />;
    case 'tenant':
      return <TenantConnectionPage key={route.accountId} accountId={route.accountId} />;
    case 'licences':
      return <LicencesPage key={route.accountId} accountId={route.accountId} />;
    case 'administrators':
      return <AdministratorsPage key={route.accountId} accountId={route.accountId} />;
    case 'audit':
      return <AuditPage key={route.accountId} accountId={route.accountId} />;
    case 'users':
      return <UsersPage key={route.accountId} accountId={route.accountId} />;
    case 'user':
      return <UserPage key={route.userId ?? 'new'} accountId={route.accountId} userId={route.userId} />;
    case 'calls':
      return <CallsPage key={route.accountId} accountId={route.accountId} />;
    case 'call':
      return <CallPage key={route.callId} accountId={route.accountId} callId={route.callId} />;
    case 'alerts':
      return <AlertsPage key={route.accountId} accountId={route.accountId} />;
    case 'alert-subscriptions':
      return <AlertSubscriptionsPage key={route.accountId} accountId={route.accountId} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}
