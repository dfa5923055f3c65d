import { useState } from 'react';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { kindLabel, when } from './alert-labels.js';
import {
  useAlertSubscriptions,
  useDeleteAlertSubscription,
  useDeliveries,
  useSendTest,
  useUpdateAlertSubscription,
  type AlertSubscription,
} from './alerts-queries.js';
import { SubscriptionForm } from './subscription-form.js';

/** Where the account's alerts go (a provider's subscriptions cover its clients), with "Send test" and the log. */
export function AlertSubscriptionsPage({ accountId }: { accountId: string }) {
  const subscriptions = useAlertSubscriptions(accountId);
  return (
    <section className="page">
      <PageTitle title="Alert delivery">Alert delivery</PageTitle>
      <p className="actions">
        <Link to={`/accounts/${accountId}/alerts`}>Back to alerts</Link>
      </p>
      <p className="muted">
        Open alerts always show in the portal. Webhooks and email also tell you when an alert opens and when
        it resolves; a provider&apos;s subscriptions cover all of its clients.
      </p>
      {subscriptions.isPending ? (
        <Loading label="Loading subscriptions" />
      ) : subscriptions.isError ? (
        <ErrorNotice error={subscriptions.error} />
      ) : subscriptions.data.items.length === 0 ? (
        <p className="card muted">No webhook or email subscription yet.</p>
      ) : (
        subscriptions.data.items.map((s) => (
          <SubscriptionCard key={s.id} accountId={accountId} subscription={s} />
        ))
      )}
      <SubscriptionForm accountId={accountId} />
    </section>
  );
}

function SubscriptionCard({
  accountId,
  subscription: s,
}: {
  accountId: string;
  subscription: AlertSubscription;
}) {
  const test = useSendTest(accountId);
  const update = useUpdateAlertSubscription(accountId);
  const remove = useDeleteAlertSubscription(accountId);
  const [showLog, setShowLog] = useState(false);
  return (
    <section className="card" aria-label={`Subscription ${s.name}`}>
      <h2>
        {s.name} <span className="badge">{s.channel === 'webhook' ? 'Webhook' : 'Email'}</span>{' '}
        {!s.enabled && <span className="badge badge-warn">Off</span>}
      </h2>
      <p className="mono">{s.channel === 'webhook' ? s.url : s.email}</p>
      <p className="muted">
        {s.kinds ? s.kinds.map(kindLabel).join(', ') : 'Every kind of alert'}
        {s.channel === 'webhook' && (s.hasSecret ? ' · signed' : ' · no secret')}
      </p>
      <ErrorNotice error={test.error ?? update.error ?? remove.error} />
      {test.isSuccess && <p role="status">Test queued: see the delivery log.</p>}
      <div className="actions">
        <button
          type="button"
          className="button-small"
          disabled={test.isPending}
          onClick={() => {
            setShowLog(true);
            test.mutate(s.id);
          }}
        >
          Send test
        </button>
        <button type="button" className="button-small" onClick={() => setShowLog((v) => !v)}>
          {showLog ? 'Hide delivery log' : 'Delivery log'}
        </button>
        <button
          type="button"
          className="button-small"
          onClick={() => update.mutate({ id: s.id, enabled: !s.enabled })}
        >
          {s.enabled ? 'Turn off' : 'Turn on'}
        </button>
        <button
          type="button"
          className="button-small"
          onClick={() => {
            if (window.confirm(`Delete the subscription "${s.name}" and its delivery log?`))
              remove.mutate(s.id);
          }}
        >
          Delete
        </button>
      </div>
      {showLog && <DeliveryLog accountId={accountId} subscriptionId={s.id} />}
    </section>
  );
}

function DeliveryLog({ accountId, subscriptionId }: { accountId: string; subscriptionId: string }) {
  const log = useDeliveries(accountId, subscriptionId);
  if (log.isPending) return <Loading label="Loading deliveries" />;
  if (log.isError) return <ErrorNotice error={log.error} />;
  if (log.data.items.length === 0) return <p className="muted">Nothing sent yet.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table delivery-log" aria-label="Delivery log">
        <thead>
          <tr>
            <th scope="col">Queued</th>
            <th scope="col">Event</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {log.data.items.map((d) => (
            <tr key={d.id}>
              <td>{when(d.createdAt)}</td>
              <td>{d.event}</td>
              <td>
                <span
                  className={`badge ${d.state === 'delivered' ? 'badge-ok' : d.state === 'failed' ? 'badge-bad' : 'badge-warn'}`}
                >
                  {d.state}
                </span>
              </td>
              <td>{d.attempts}</td>
              <td>
                {d.statusCode ?? '—'}
                {d.error && <div className="muted">{d.error}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
