import { useQueries } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { request } from '../api/client.js';
import { keys, v1 } from '../api/queries.js';
import type { User } from '../api/types.js';
import { Link } from '../router.js';
import { groupPlan, lineText, planUserIds } from './sync-plan.js';

/** Rows shown per group before "Show all". */
const SHOWN = 25;

/**
 * Names of the users a plan refers to by id. The plan names only ids (but for new users), so each shown user is
 * read once (and cached); at most a hundred per plan.
 */
function useUserNames(accountId: string, ids: string[]): Map<string, string> {
  const results = useQueries({
    queries: ids.slice(0, 100).map((id) => ({
      queryKey: keys.user(accountId, id),
      queryFn: () => request<User>('GET', v1(`/accounts/${accountId}/users/${id}`)),
      staleTime: 60_000,
    })),
  });
  const names = new Map<string, string>();
  for (const r of results) if (r.data) names.set(r.data.id, r.data.displayName);
  return names;
}

/** The changes of a sync plan, grouped: added, changed, marked, tenant writes and conflicts (with both values). */
export function PlanView({ accountId, plan }: { accountId: string; plan: unknown }) {
  const groups = groupPlan(plan);
  const names = useUserNames(accountId, planUserIds(groups));
  const who = (userId: string) => (
    <Link to={`/accounts/${accountId}/users/${userId}`}>{names.get(userId) ?? 'a user'}</Link>
  );
  const nothing = Object.values(groups).every((g) => (Array.isArray(g) ? g.length === 0 : true));
  if (nothing) {
    return (
      <p className="notice notice-ok" role="status">
        Nothing to change: the portal and the tenant agree
        {groups.agreed > 0 ? ` (${groups.agreed} lines)` : ''}.
      </p>
    );
  }
  return (
    <div className="plan">
      <PlanGroup title="Added" hint="New users in the tenant, added to this service." items={groups.added}>
        {(c) => (
          <>
            <strong>{c.tenant.displayName}</strong> <span className="muted">{c.tenant.email}</span>
            {c.tenant.line && <span className="mono"> {lineText(c.tenant.line)}</span>}
          </>
        )}
      </PlanGroup>
      <PlanGroup title="Changed" hint="Taken from the tenant into the portal." items={groups.changed}>
        {(c) =>
          c.type === 'take_number' ? (
            <>
              {who(c.userId)}: number <Change from={c.from} to={c.to} />
            </>
          ) : (
            <>
              {who(c.userId)}: {c.reason}
            </>
          )
        }
      </PlanGroup>
      <PlanGroup
        title="Marked"
        hint="Gone or disabled in the tenant: marked, never deleted."
        items={groups.marked}
      >
        {(c) => (
          <>
            {who(c.userId)}: {c.reason}
          </>
        )}
      </PlanGroup>
      <PlanGroup
        title="Tenant writes"
        hint="Numbers set in the portal, written to Microsoft 365."
        items={groups.writes}
      >
        {(c) => (
          <>
            {who(c.userId)}: <Change from={c.from} to={c.to} />
          </>
        )}
      </PlanGroup>
      <PlanGroup
        title="Conflicts"
        hint="Changed on both sides since the last sync: left alone until one side is set to the other."
        items={groups.conflicts}
        tone="bad"
      >
        {(c) => (
          <>
            {who(c.userId)}: portal <span className="mono">{lineText(c.portal)}</span>, tenant{' '}
            <span className="mono">{lineText(c.tenant)}</span>
            <span className="muted"> (agreed before: {lineText(c.synced)})</span>
          </>
        )}
      </PlanGroup>
    </div>
  );
}

function Change({ from, to }: { from: string | null; to: string | null }) {
  return (
    <span className="mono">
      {lineText(from)} → {lineText(to)}
    </span>
  );
}

function PlanGroup<T>({
  title,
  hint,
  items,
  tone,
  children,
}: {
  title: string;
  hint: string;
  items: T[];
  tone?: 'bad';
  children: (item: T) => ReactNode;
}) {
  const [all, setAll] = useState(false);
  if (items.length === 0) return null;
  const shown = all ? items : items.slice(0, SHOWN);
  return (
    <section className={tone === 'bad' ? 'plan-group plan-bad' : 'plan-group'} aria-label={title}>
      <h3>
        {title} <span className="badge">{items.length.toLocaleString()}</span>
      </h3>
      <p className="hint">{hint}</p>
      <ul>
        {shown.map((item, i) => (
          <li key={i}>{children(item)}</li>
        ))}
      </ul>
      {items.length > shown.length && (
        <button type="button" className="button-link" onClick={() => setAll(true)}>
          Show all {items.length.toLocaleString()}
        </button>
      )}
    </section>
  );
}
