import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { keys } from '../api/queries.js';
import { useAuthorizePhoneApp, useSaveTeamsSettings } from '../api/phone-app-queries.js';
import type { PhoneAppStatus } from '../api/types.js';
import { CheckField } from '../components/field.js';
import { ErrorNotice, SavedNotice } from '../components/status.js';
import { Link } from '../router.js';
import { openConsentWindow, waitForConsentReturn, type ConsentReturn } from '../tenant/consent-window.js';

const CONSENT_LABELS: Record<PhoneAppStatus['consent'], { label: string; tone: string }> = {
  not_requested: { label: 'not authorized', tone: 'badge-idle' },
  granted: { label: 'authorized', tone: 'badge-ok' },
  denied: { label: 'refused', tone: 'badge-bad' },
};

/**
 * The Phone App add-on: where the account is not provisioned, the API's message and nothing to switch; else the
 * switch and Save, "Authorize Phone App for my Organization" (administrator consent in a window, as for the
 * tenant connection), and the next step in the API's words.
 */
export function PhoneAppSection({
  accountId,
  serviceId,
  status,
  writable,
}: {
  accountId: string;
  serviceId: string;
  status: PhoneAppStatus;
  writable: boolean;
}) {
  return (
    <section className="card" aria-labelledby="phone-app-heading">
      <h2 id="phone-app-heading">
        Phone App
        {status.provisioned && (
          <span className={`badge ${status.enabled ? 'badge-ok' : 'badge-idle'}`}>
            {status.enabled ? 'on' : 'off'}
          </span>
        )}
      </h2>
      <p className="muted">
        A dialler inside Teams for users without a Teams Phone licence. Each Phone App user takes a PBX user
        licence and a Phone App licence.
      </p>
      {status.provisioned ? (
        <ProvisionedPhoneApp
          accountId={accountId}
          serviceId={serviceId}
          status={status}
          writable={writable}
        />
      ) : (
        <p className="notice notice-warn phone-app-step" data-step={status.step}>
          {status.message}
        </p>
      )}
    </section>
  );
}

function ProvisionedPhoneApp({
  accountId,
  serviceId,
  status,
  writable,
}: {
  accountId: string;
  serviceId: string;
  status: PhoneAppStatus;
  writable: boolean;
}) {
  const consent = CONSENT_LABELS[status.consent];
  return (
    <>
      {writable ? (
        <EnableForm accountId={accountId} serviceId={serviceId} enabled={status.enabled} />
      ) : (
        <p>The Phone App is {status.enabled ? 'enabled' : 'not enabled'} on this service.</p>
      )}
      {status.enabled && (
        <div className="phone-app-authorize">
          <p>
            Authorization in Microsoft 365: <span className={`badge ${consent.tone}`}>{consent.label}</span>
          </p>
          {writable && <AuthorizeButton accountId={accountId} serviceId={serviceId} status={status} />}
        </div>
      )}
      <NextStep accountId={accountId} serviceId={serviceId} status={status} />
    </>
  );
}

function EnableForm({
  accountId,
  serviceId,
  enabled,
}: {
  accountId: string;
  serviceId: string;
  enabled: boolean;
}) {
  const save = useSaveTeamsSettings(accountId, serviceId);
  const [checked, setChecked] = useState(enabled);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ phoneAppEnabled: checked });
  };
  return (
    <form className="phone-app-enable" onSubmit={submit} aria-label="Enable Phone App">
      <ErrorNotice error={save.error} title="Not saved." />
      <CheckField
        label="Enable Phone App"
        role="switch"
        checked={checked}
        onChange={(e) => setChecked(e.target.checked)}
        hint="Then authorize it for your organisation and run Sync Now."
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.isPending || checked === enabled}>
          Save
        </button>
      </div>
      {save.isSuccess && checked === enabled && <SavedNotice>Saved.</SavedNotice>}
    </form>
  );
}

type Outcome = 'waiting' | 'closed' | 'blocked' | 'answered' | undefined;

/** Opens the consent window inside the click, sends it to Microsoft, and reads the status again when it returns. */
function AuthorizeButton({
  accountId,
  serviceId,
  status,
}: {
  accountId: string;
  serviceId: string;
  status: PhoneAppStatus;
}) {
  const client = useQueryClient();
  const authorize = useAuthorizePhoneApp(accountId, serviceId);
  const [outcome, setOutcome] = useState<Outcome>();
  const [consentUrl, setConsentUrl] = useState<string>();
  const [callbackError, setCallbackError] = useState<string>();
  const waiting = useRef<AbortController>(undefined);
  useEffect(() => () => waiting.current?.abort(), []);

  const settle = async (result: ConsentReturn) => {
    setCallbackError(result.kind === 'returned' ? callbackErrorOf(result.body) : undefined);
    setOutcome(result.kind === 'returned' ? 'answered' : result.kind);
    await client.invalidateQueries({ queryKey: keys.phoneApp(accountId, serviceId) });
    await client.invalidateQueries({ queryKey: keys.service(accountId, serviceId) });
  };
  const start = () => {
    setOutcome(undefined);
    setCallbackError(undefined);
    waiting.current?.abort();
    const consent = openConsentWindow();
    authorize.mutate(undefined, {
      onSuccess: ({ consentUrl: url }) => {
        setConsentUrl(url);
        setOutcome('waiting');
        consent.go(url);
        waiting.current = new AbortController();
        void waitForConsentReturn(consent.window, waiting.current.signal).then(settle);
      },
      onError: () => consent.window?.close(),
    });
  };
  return (
    <>
      <ErrorNotice error={authorize.error} title="Could not start the authorization." />
      {callbackError && (
        <div className="notice notice-error" role="alert">
          {callbackError}
        </div>
      )}
      <AuthorizeOutcome outcome={outcome} consentUrl={consentUrl} />
      <div className="actions">
        <button type="button" onClick={start} disabled={authorize.isPending || outcome === 'waiting'}>
          {status.consent === 'granted'
            ? 'Authorize Phone App for my Organization again'
            : 'Authorize Phone App for my Organization'}
        </button>
      </div>
    </>
  );
}

/** The callback's error message when it answered one (e.g. an answer older than an hour). */
function callbackErrorOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || 'consentState' in parsed) return undefined;
    const { message } = parsed as { message?: unknown };
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function AuthorizeOutcome({ outcome, consentUrl }: { outcome: Outcome; consentUrl: string | undefined }) {
  switch (outcome) {
    case undefined:
    case 'answered':
      return null;
    case 'waiting':
      return (
        <p className="notice" role="status">
          Waiting for Microsoft: accept in the window that opened (a Global Administrator is needed).
        </p>
      );
    case 'closed':
      return (
        <p className="notice" role="status">
          The window was closed before Microsoft answered. Authorize again to retry.
        </p>
      );
    case 'blocked':
      return (
        <p className="notice" role="status">
          The browser blocked the window.{' '}
          {consentUrl && (
            <a href={consentUrl} target="_blank" rel="noreferrer">
              Open Microsoft’s consent page
            </a>
          )}{' '}
          then come back to this page.
        </p>
      );
  }
}

/** The step still missing, in the API's words; the sync step links to Sync Now. */
function NextStep({
  accountId,
  serviceId,
  status,
}: {
  accountId: string;
  serviceId: string;
  status: PhoneAppStatus;
}) {
  const tone = status.step === 'ready' ? 'notice notice-ok' : 'notice';
  return (
    <div className={`${tone} phone-app-step`} role="status" data-step={status.step}>
      <strong>{status.step === 'ready' ? 'Ready. ' : 'Next step: '}</strong>
      {status.message}
      {status.step === 'sync' && (
        <>
          {' '}
          <Link to={`/accounts/${accountId}/services/${serviceId}/sync`}>Go to Sync</Link>
        </>
      )}
      {status.phoneAppUsers > 0 && (
        <p className="hint">
          {status.phoneAppUsers === 1 ? 'One Phone App user' : `${status.phoneAppUsers} Phone App users`} on
          this service.
        </p>
      )}
    </div>
  );
}
