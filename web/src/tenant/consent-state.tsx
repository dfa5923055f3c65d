import type { ConsentState, TenantConnection } from '../api/types.js';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : undefined);

/** Each consent state: a label, the badge tone, and what it means with what to do. */
export function describeConsent(connection: TenantConnection | null): {
  state: ConsentState;
  label: string;
  tone: 'ok' | 'info' | 'warn' | 'bad' | 'idle';
  advice: string;
} {
  const state = connection?.consentState ?? 'not_connected';
  const why = connection?.consentError ? ` Microsoft said: ${connection.consentError}.` : '';
  switch (state) {
    case 'not_connected':
      return {
        state,
        label: 'Not connected',
        tone: 'idle',
        advice:
          'Connect the tenant: a Global Administrator of the customer’s Microsoft 365 signs in at Microsoft and grants consent to the Callbridge app. No administrator password is stored.',
      };
    case 'pending':
      return {
        state,
        label: 'Waiting for consent',
        tone: 'info',
        advice:
          'Consent was started but Microsoft has not answered yet. Finish it in the consent window, or press Connect again.',
      };
    case 'granted':
      return {
        state,
        label: 'Connected',
        tone: 'ok',
        advice: `Consent granted${connection?.consentedAt ? ` on ${when(connection.consentedAt)}` : ''}. Syncs can read the tenant’s users and write their numbers; later changes need only a Teams administrator.`,
      };
    case 'denied':
      return {
        state,
        label: 'Consent refused',
        tone: 'bad',
        advice: `Consent was not given.${why} Ask a Global Administrator to press Connect and accept the permissions.`,
      };
    case 'revoked':
      return {
        state,
        label: 'Consent withdrawn',
        tone: 'bad',
        advice: `Microsoft no longer accepts the Callbridge app for this tenant (consent withdrawn or the app removed).${why} Press Connect to grant consent again; syncs fail until then.`,
      };
  }
}

/** The connection's state as a card: badge, what it means, and the tenant's details. */
export function ConsentStateCard({ connection }: { connection: TenantConnection | null }) {
  const { label, tone, advice } = describeConsent(connection);
  return (
    <section className="card" aria-labelledby="consent-heading">
      <h2 id="consent-heading">
        Connection <span className={`badge badge-${tone}`}>{label}</span>
      </h2>
      <p data-testid="consent-advice">{advice}</p>
      {connection && (
        <dl className="facts">
          <dt>Tenant</dt>
          <dd className="mono">{connection.tenantId ?? 'chosen at consent'}</dd>
          <dt>Cloud</dt>
          <dd>{CLOUD_LABELS[connection.cloud]}</dd>
          <dt>App (client) id</dt>
          <dd className="mono">{connection.clientId ?? '—'}</dd>
          <dt>App secret</dt>
          <dd>{connection.hasClientSecret ? 'stored (never shown)' : 'not set'}</dd>
          <dt>Last change</dt>
          <dd>{when(connection.updatedAt)}</dd>
        </dl>
      )}
    </section>
  );
}

export const CLOUD_LABELS: Record<TenantConnection['cloud'], string> = {
  global: 'Microsoft 365 (worldwide)',
  usgov: 'US Government (GCC High)',
  usgovdod: 'US Government (DoD)',
  china: 'China (operated by 21Vianet)',
  custom: 'Custom endpoints (set up by your provider)',
};
