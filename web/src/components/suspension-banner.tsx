import { useAccountAccess } from '../api/access-queries.js';

/**
 * The banner on every page of a suspended account (or one beneath a suspended partner): it is read-only, and
 * says whom to contact. The actions are already gone: `GET .../access` leaves out the changing permissions.
 */
export function SuspensionBanner({ accountId }: { accountId: string }) {
  const suspension = useAccountAccess(accountId).data?.suspension;
  if (!suspension) return null;
  return (
    <div className="notice notice-warn suspension-banner" role="alert">
      <strong>Suspended.</strong> {suspension.message}
    </div>
  );
}
