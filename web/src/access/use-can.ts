import { useAccountAccess } from '../api/access-queries.js';
import type { Permission } from '../api/types.js';

/**
 * Whether the signed-in administrator may do something on the account, from `GET .../access`. Until the answer
 * arrives (or when it fails) the answer is no: an action appears once it is known to be allowed, instead of a
 * button that ends in 403.
 *
 * @example const can = useCan(accountId); {can('service.write') && <button>Save</button>}
 */
export function useCan(accountId: string | undefined): (permission: Permission) => boolean {
  const access = useAccountAccess(accountId ?? '');
  const granted = accountId ? access.data?.permissions : undefined;
  return (permission) => granted?.includes(permission) ?? false;
}
