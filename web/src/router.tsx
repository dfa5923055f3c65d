import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

// A small history router: the portal has a handful of routes, and the server answers index.html for all of them.

const CHANGE = 'callbridge:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const current = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(current, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

/** Goes to a path inside the portal; `replace` keeps history clean for filter changes. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** An ordinary link (open in new tab still works) that navigates inside the portal on a plain click. */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

export type Route =
  | { page: 'home' }
  | { page: 'password' }
  | { page: 'teams-edge' }
  | { page: 'account'; accountId: string }
  | { page: 'services'; accountId: string }
  | { page: 'service'; accountId: string; serviceId: string | undefined }
  | { page: 'service-sync'; accountId: string; serviceId: string }
  | { page: 'service-teams'; accountId: string; serviceId: string }
  | { page: 'service-import'; accountId: string; serviceId: string }
  | { page: 'tenant'; accountId: string }
  | { page: 'licences'; accountId: string }
  | { page: 'administrators'; accountId: string }
  | { page: 'audit'; accountId: string }
  | { page: 'users'; accountId: string }
  | { page: 'user'; accountId: string; userId: string | undefined }
  | { page: 'calls'; accountId: string }
  | { page: 'call'; accountId: string; callId: string }
  | { page: 'alerts'; accountId: string }
  | { page: 'alert-subscriptions'; accountId: string }
  | { page: 'not-found' };

const ID = '([0-9a-f-]{36})';
const patterns: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/$/, () => ({ page: 'home' })],
  // Where a failed Microsoft sign-in comes back to (with ?error=); once signed in it is the home page.
  [/^\/sign-in$/, () => ({ page: 'home' })],
  [/^\/password$/, () => ({ page: 'password' })],
  [/^\/teams-edge$/, () => ({ page: 'teams-edge' })],
  [new RegExp(`^/accounts/${ID}$`), (m) => ({ page: 'account', accountId: m[1]! })],
  [new RegExp(`^/accounts/${ID}/services$`), (m) => ({ page: 'services', accountId: m[1]! })],
  [
    new RegExp(`^/accounts/${ID}/services/(new|${ID.slice(1, -1)})$`),
    (m) => ({ page: 'service', accountId: m[1]!, serviceId: m[2] === 'new' ? undefined : m[2] }),
  ],
  [
    new RegExp(`^/accounts/${ID}/services/${ID}/sync$`),
    (m) => ({ page: 'service-sync', accountId: m[1]!, serviceId: m[2]! }),
  ],
  [
    new RegExp(`^/accounts/${ID}/services/${ID}/teams$`),
    (m) => ({ page: 'service-teams', accountId: m[1]!, serviceId: m[2]! }),
  ],
  [
    new RegExp(`^/accounts/${ID}/services/${ID}/import$`),
    (m) => ({ page: 'service-import', accountId: m[1]!, serviceId: m[2]! }),
  ],
  [new RegExp(`^/accounts/${ID}/microsoft-365$`), (m) => ({ page: 'tenant', accountId: m[1]! })],
  [new RegExp(`^/accounts/${ID}/licences$`), (m) => ({ page: 'licences', accountId: m[1]! })],
  [new RegExp(`^/accounts/${ID}/administrators$`), (m) => ({ page: 'administrators', accountId: m[1]! })],
  [new RegExp(`^/accounts/${ID}/audit$`), (m) => ({ page: 'audit', accountId: m[1]! })],
  [new RegExp(`^/accounts/${ID}/users$`), (m) => ({ page: 'users', accountId: m[1]! })],
  [
    new RegExp(`^/accounts/${ID}/users/(new|${ID.slice(1, -1)})$`),
    (m) => ({ page: 'user', accountId: m[1]!, userId: m[2] === 'new' ? undefined : m[2] }),
  ],
  [new RegExp(`^/accounts/${ID}/calls$`), (m) => ({ page: 'calls', accountId: m[1]! })],
  [new RegExp(`^/accounts/${ID}/alerts$`), (m) => ({ page: 'alerts', accountId: m[1]! })],
  [
    new RegExp(`^/accounts/${ID}/alerts/subscriptions$`),
    (m) => ({ page: 'alert-subscriptions', accountId: m[1]! }),
  ],
  [
    new RegExp(`^/accounts/${ID}/calls/([^/]{1,200})$`),
    (m) => ({ page: 'call', accountId: m[1]!, callId: decodeURIComponent(m[2]!) }),
  ],
];

/** Which page a path shows. */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const [pattern, build] of patterns) {
    const found = pattern.exec(path);
    if (found) return build(found);
  }
  return { page: 'not-found' };
}

/** The account a route is about, if any. */
export function routeAccountId(route: Route): string | undefined {
  return 'accountId' in route ? route.accountId : undefined;
}
