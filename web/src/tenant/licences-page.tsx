import { useLicences, useSubscriptions } from '../api/tenant-queries.js';
import type { Subscription } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { useCan } from '../access/use-can.js';
import { LicenceSummary, LicenceWarnings } from './licence-summary.js';

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

/** Account → Licences: the summary per SKU (held, used, free, warnings), then the subscriptions behind it. */
export function LicencesPage({ accountId }: { accountId: string }) {
  const licences = useLicences(accountId);
  const can = useCan(accountId);
  return (
    <section className="page page-narrow">
      <PageTitle title="Licences">Licences</PageTitle>
      <p className="muted">
        Licences are set by your licensing provider. A Phone App user takes one PBX user licence and one Phone
        App licence; users beyond the licences held cannot be configured.
      </p>
      {licences.isPending && <Loading label="Loading licences" />}
      <ErrorNotice error={licences.error} />
      {licences.data?.length === 0 && (
        <p className="empty">
          No licences yet. Ask your licensing provider for PBX user (or trunk user) licences.
        </p>
      )}
      {licences.data && licences.data.length > 0 && (
        <>
          <LicenceWarnings lines={licences.data} />
          <LicenceSummary lines={licences.data} />
        </>
      )}
      {can('subscription.read') && <Subscriptions accountId={accountId} />}
    </section>
  );
}

/** The subscriptions behind the summary: quantity, trial and state of each. */
function Subscriptions({ accountId }: { accountId: string }) {
  const subscriptions = useSubscriptions(accountId);
  const items = subscriptions.data ?? [];
  if (subscriptions.isPending) return <Loading label="Loading subscriptions" />;
  if (subscriptions.isError) return <ErrorNotice error={subscriptions.error} />;
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="subscriptions-heading">
      <h2 id="subscriptions-heading">Subscriptions</h2>
      <div className="table-wrap">
        <table className="data-table">
          <caption className="visually-hidden">Licence subscriptions</caption>
          <thead>
            <tr>
              <th scope="col">Licence</th>
              <th scope="col">Quantity</th>
              <th scope="col">Trial</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <SubscriptionRow key={s.id} subscription={s} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SubscriptionRow({ subscription: s }: { subscription: Subscription }) {
  return (
    <tr>
      <td data-label="Licence" className="col-name">
        {SKU_LABELS[s.sku]}
      </td>
      <td data-label="Quantity">{s.quantity.toLocaleString()}</td>
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
