import type { RegistrationState, UserKind, UserSort, UsersQuery } from '../api/types.js';
import { navigate, useLocation } from '../router.js';

export const PAGE_SIZES = [25, 50, 100, 200] as const;
const KINDS: UserKind[] = ['standard', 'phone_app', 'resource_account'];
const STATES: RegistrationState[] = [
  'registered',
  'failed',
  'disabled',
  'pending',
  'expiring',
  'unconfirmed',
  'unregistered',
];
const SORTS: UserSort[] = ['displayName', 'email', 'phoneNumber', 'createdAt'];

/** The users table's view (filters, search, sort, page), kept in the address so it survives reload and back. */
export interface UsersView {
  search: string;
  kind: UserKind | undefined;
  registrationState: RegistrationState | undefined;
  serviceId: string | undefined;
  sort: UserSort;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
  /** The cursor the page starts after (set by Next), so a deep page reads as fast as the first; else offset. */
  after: string | undefined;
}

function pick<T extends string>(allowed: readonly T[], value: string | null): T | undefined {
  return allowed.find((a) => a === value);
}

function readView(search: URLSearchParams): UsersView {
  const size = Number(search.get('size'));
  return {
    search: search.get('q') ?? '',
    kind: pick(KINDS, search.get('kind')),
    registrationState: pick(STATES, search.get('state')),
    serviceId: search.get('service') ?? undefined,
    sort: pick(SORTS, search.get('sort')) ?? 'displayName',
    order: search.get('order') === 'desc' ? 'desc' : 'asc',
    page: Math.max(1, Math.floor(Number(search.get('page')) || 1)),
    pageSize: PAGE_SIZES.find((s) => s === size) ?? 50,
    after: search.get('after') ?? undefined,
  };
}

function writeView(view: UsersView): string {
  const params = new URLSearchParams();
  if (view.search) params.set('q', view.search);
  if (view.kind) params.set('kind', view.kind);
  if (view.registrationState) params.set('state', view.registrationState);
  if (view.serviceId) params.set('service', view.serviceId);
  if (view.sort !== 'displayName') params.set('sort', view.sort);
  if (view.order !== 'asc') params.set('order', view.order);
  if (view.page !== 1) params.set('page', String(view.page));
  if (view.pageSize !== 50) params.set('size', String(view.pageSize));
  if (view.after) params.set('after', view.after);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The view from the address, and a way to change it (any change but paging goes back to page 1). */
export function useUsersView(): [UsersView, (patch: Partial<UsersView>) => void] {
  const { pathname, search } = useLocation();
  const view = readView(search);
  const update = (patch: Partial<UsersView>) => {
    // A cursor holds only for the move that set it (Next); any other change pages by offset again.
    const next = { ...view, ...('page' in patch ? {} : { page: 1 }), after: undefined, ...patch };
    navigate(pathname + writeView(next), { replace: true });
  };
  return [view, update];
}

/** The API query for a view. */
export function toQuery(view: UsersView): UsersQuery {
  return {
    ...(view.search && { search: view.search }),
    ...(view.kind && { kind: view.kind }),
    ...(view.registrationState && { registrationState: view.registrationState }),
    ...(view.serviceId && { serviceId: view.serviceId }),
    sort: view.sort,
    order: view.order,
    limit: view.pageSize,
    ...(view.after ? { cursor: view.after, offset: 0 } : { offset: (view.page - 1) * view.pageSize }),
  };
}
