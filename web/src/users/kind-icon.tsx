import type { UserKind } from '../api/types.js';

export const KIND_LABELS: Record<UserKind, string> = {
  standard: 'Standard user',
  phone_app: 'Phone App user',
  resource_account: 'Resource account',
};

/** Distinct shapes (not only colours) for standard users, Phone App users and resource accounts. */
export function KindIcon({ kind }: { kind: UserKind }) {
  const label = KIND_LABELS[kind];
  return (
    <span className={`kind-icon kind-${kind}`} role="img" aria-label={label} title={label}>
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
        {kind === 'standard' && (
          <>
            <circle cx="12" cy="8" r="4" />
            <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7z" />
          </>
        )}
        {kind === 'phone_app' && (
          <>
            <rect x="6" y="2" width="12" height="20" rx="2.5" />
            <path className="kind-icon-cut" d="M9 6h6M9 9.5h6M9 13h6M10.5 18.5h3" />
          </>
        )}
        {kind === 'resource_account' && (
          <>
            <rect x="3" y="4" width="18" height="16" rx="2" />
            <path className="kind-icon-cut" d="M7 9h10M7 13h10M7 17h6" />
          </>
        )}
      </svg>
    </span>
  );
}
