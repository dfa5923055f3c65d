import { useSubscriptions } from '../api/tenant-queries.js';
import type { Subscription } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';

export const SKU_LABELS: Record<Subscription['sku'], string> = {
  pbx_user: 'PBX user',
  trunk_user: 'SIP trunk user',
  phone_app_user: 'Phone App user',
};

const DAY = 86_400_000;

/** "ends 3 May 2026 (12 days left)", or that it has ended. */
export function trialText(trialEndsAt: string, now = Date.now()): string {
  const end = new Date(trialEndsAt);
  const days = Math.ceil((end.getTime() - now) / DAY);
  const date = end.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  if (days < 0) return `ended ${date}`;
  return `ends ${date} (${days === 1 ? '1 day' : `${days} days`} left)`;
}

/** Account → Licences: the subscriptions held, with used and free counts when the API gives them. */
export function LicencesPage({ accountId }: { accountId: string }) {
  const subscriptions = useSubscriptions(accountId);
  const items = subscriptions.data ?? [];
  const counted = items.some((s) => s.used !== undefined);
  return (
    <section className="page page-narrow">
      <PageTitle title="Licences">Licences</PageTitle>
      <p className="muted">
        Licences are set by your licensing provider. A Phone App user takes one PBX user licence and one Phone
        App licence; users beyond the licences held cannot be configured.
      </p>
      {subscriptions.isPending && <Loading label="Loading licences" />}
      <ErrorNotice error={subscriptions.error} />
      {subscriptions.data?.length === 0 && (
        <p className="empty">
          No licences yet. Ask your licensing provider for PBX user (or trunk user) licences.
        </p>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Licence subscriptions</caption>
            <thead>
              <tr>
                <th scope="col">Licence</th>
                <th scope="col">Quantity</th>
                {counted && <th scope="col">Used</th>}
                {counted && <th scope="col">Free</th>}
                <th scope="col">Trial</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <SubscriptionRow key={s.id} subscription={s} counted={counted} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SubscriptionRow({ subscription: s, counted }: { subscription: Subscription; counted: boolean }) {
  const free = s.free ?? (s.used !== undefined ? s.quantity - s.used : undefined);
  return (
    <tr>
      <td data-label="Licence" className="col-name">
        {SKU_LABELS[s.sku]}
      </td>
      <td data-label="Quantity">{s.quantity.toLocaleString()}</td>
      {counted && <td data-label="Used">{s.used?.toLocaleString() ?? '—'}</td>}
      {counted && (
        <td data-label="Free" className={free !== undefined && free <= 0 ? 'text-bad' : undefined}>
          {free?.toLocaleString() ?? '—'}
        </td>
      )}
      <td data-label="Trial">
        {s.trial && s.trialEndsAt ? (
          <span>
            <span className="badge badge-info">trial</span> {trialText(s.trialEndsAt)}
          </span>
        ) : (
          <span className="muted">no</span>
        )}
      </td>
      <td data-label="State">
        {s.state === 'active' ? (
          <span className="badge badge-ok">active</span>
        ) : (
          <span className="badge badge-bad">
            cancelled{s.cancelledAt ? ` ${new Date(s.cancelledAt).toLocaleDateString()}` : ''}
          </span>
        )}
      </td>
    </tr>
  );
}
