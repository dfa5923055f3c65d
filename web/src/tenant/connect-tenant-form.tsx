import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { keys } from '../api/queries.js';
import { useConnectTenant } from '../api/tenant-queries.js';
import type { Cloud, ConnectTenant, TenantConnection } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { ErrorNotice, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';
import { CLOUD_LABELS } from './consent-state.js';
import {
  connectionFromBody,
  openConsentWindow,
  refusalFromBody,
  waitForConsentReturn,
  type ConsentReturn,
} from './consent-window.js';

type Draft = Record<
  'cloud' | 'tenantId' | 'clientId' | 'clientSecret' | 'authorityHost' | 'graphBaseUrl' | 'teamsAdminBaseUrl',
  string
>;

function draftOf(c: TenantConnection | null): Draft {
  const custom = c?.cloud === 'custom';
  return {
    cloud: c?.cloud ?? 'global',
    tenantId: c?.tenantId ?? '',
    clientId: c?.clientId ?? '',
    clientSecret: '',
    authorityHost: custom ? c.authorityHost : '',
    graphBaseUrl: custom ? c.graphBaseUrl : '',
    teamsAdminBaseUrl: custom ? (c.teamsAdminBaseUrl ?? '') : '',
  };
}

const CLOUDS = Object.keys(CLOUD_LABELS) as Cloud[];
const cloudOf = (v: string): Cloud => CLOUDS.find((c) => c === v) ?? 'global';
const orUndefined = (v: string) => (v.trim() === '' ? undefined : v.trim());

function toBody(d: Draft): ConnectTenant {
  const custom = d.cloud === 'custom';
  return {
    cloud: cloudOf(d.cloud),
    tenantId: orUndefined(d.tenantId) ?? null,
    clientId: d.clientId.trim(),
    clientSecret: d.clientSecret === '' ? undefined : d.clientSecret,
    authorityHost: custom ? orUndefined(d.authorityHost) : undefined,
    graphBaseUrl: custom ? orUndefined(d.graphBaseUrl) : undefined,
    teamsAdminBaseUrl: custom ? orUndefined(d.teamsAdminBaseUrl) : undefined,
  };
}

type Outcome = ConsentReturn['kind'] | 'granted' | 'denied' | undefined;

/**
 * The connection settings and Connect: saves them, opens Microsoft's administrator-consent page in a window;
 * Callbridge then asks a tenant administrator to sign in there (which proves the consent), and when the window
 * comes back with the recorded answer (or the refusal), closes it.
 */
export function ConnectTenantForm({
  accountId,
  connection,
}: {
  accountId: string;
  connection: TenantConnection | null;
}) {
  const client = useQueryClient();
  const connect = useConnectTenant(accountId);
  const [draft, setDraft] = useState(() => draftOf(connection));
  const [consentUrl, setConsentUrl] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [refusal, setRefusal] = useState<string>();
  const waiting = useRef<AbortController>(undefined);
  useEffect(() => () => waiting.current?.abort(), []);
  const error = connect.error instanceof ApiError ? connect.error : undefined;
  const form = useFocusFirstInvalid(connect.error);
  const fieldError = (field: keyof Draft) => error?.fieldMessage(field);
  const set = (field: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));

  const settle = (result: ConsentReturn) => {
    if (result.kind !== 'returned') {
      setOutcome(result.kind);
      return client.invalidateQueries({ queryKey: keys.tenantConnection(accountId) });
    }
    const answered = connectionFromBody<TenantConnection>(result.body);
    if (answered) {
      client.setQueryData(keys.tenantConnection(accountId), answered);
      setOutcome(answered.consentState === 'granted' ? 'granted' : 'denied');
      return;
    }
    // Callbridge refused to record the answer (e.g. the signed-in user is no administrator of the tenant): say
    // why. The answer is single use, so it is not handed in again.
    setRefusal(refusalFromBody(result.body));
    return client.invalidateQueries({ queryKey: keys.tenantConnection(accountId) });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOutcome(undefined);
    setRefusal(undefined);
    waiting.current?.abort();
    const consent = openConsentWindow();
    connect.mutate(toBody(draft), {
      onSuccess: (answer) => {
        // The secret is stored (encrypted); it is not kept in the page.
        setDraft((d) => ({ ...d, clientSecret: '' }));
        setConsentUrl(answer.consentUrl);
        consent.go(answer.consentUrl);
        waiting.current = new AbortController();
        void waitForConsentReturn(consent.window, waiting.current.signal).then(settle);
      },
      onError: () => consent.window?.close(),
    });
  };

  const custom = draft.cloud === 'custom';
  const fieldIssues = error ? error.issues.length : 0;
  return (
    <form
      ref={form}
      className="card form-grid"
      onSubmit={submit}
      noValidate
      aria-labelledby="connect-heading"
    >
      <h2 id="connect-heading" className="field-wide">
        {connection ? 'Connect again' : 'Connect Microsoft 365'}
      </h2>
      <ConsentOutcome outcome={outcome} consentUrl={consentUrl} busy={connect.isPending} />
      {error && fieldIssues === 0 && <ErrorNotice error={error} />}
      {refusal && (
        <div className="notice notice-error" role="alert">
          <strong>Consent was not recorded. </strong>
          {refusal}
        </div>
      )}
      <SelectField
        label="Cloud"
        value={draft.cloud}
        onChange={set('cloud')}
        error={fieldError('cloud')}
        wide
        hint="National clouds have their own sign-in and Graph endpoints."
      >
        {CLOUDS.map((c) => (
          <option key={c} value={c}>
            {CLOUD_LABELS[c]}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Tenant (optional)"
        value={draft.tenantId}
        onChange={set('tenantId')}
        error={fieldError('tenantId')}
        autoComplete="off"
        hint="Tenant id or domain (contoso.onmicrosoft.com); empty: the administrator picks it when signing in."
        wide
      />
      <TextField
        label="App (client) id"
        value={draft.clientId}
        onChange={set('clientId')}
        error={fieldError('clientId')}
        autoComplete="off"
        required
        hint="The Callbridge app registration your provider gave you."
        wide
      />
      <TextField
        label="App secret"
        type="password"
        value={draft.clientSecret}
        onChange={set('clientSecret')}
        error={fieldError('clientSecret')}
        autoComplete="new-password"
        wide
        hint={
          connection?.hasClientSecret
            ? 'A secret is stored; leave empty to keep it.'
            : 'Stored encrypted, never shown again.'
        }
      />
      {custom && (
        <fieldset>
          <legend>Custom endpoints</legend>
          <TextField
            label="Sign-in (authority) host"
            value={draft.authorityHost}
            onChange={set('authorityHost')}
            error={fieldError('authorityHost')}
            placeholder="https://login.microsoftonline.com"
            inputMode="url"
          />
          <TextField
            label="Graph base URL"
            value={draft.graphBaseUrl}
            onChange={set('graphBaseUrl')}
            error={fieldError('graphBaseUrl')}
            placeholder="https://graph.microsoft.com"
            inputMode="url"
          />
          <TextField
            label="Teams admin base URL"
            value={draft.teamsAdminBaseUrl}
            onChange={set('teamsAdminBaseUrl')}
            error={fieldError('teamsAdminBaseUrl')}
            inputMode="url"
          />
        </fieldset>
      )}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={connect.isPending}>
          Connect
        </button>
      </div>
      <p className="hint field-wide">
        Connect opens Microsoft’s consent page in a new window. Sign in there as a Global Administrator of the
        customer’s tenant and accept; the window closes by itself when Microsoft sends you back.
      </p>
    </form>
  );
}

function ConsentOutcome({
  outcome,
  consentUrl,
  busy,
}: {
  outcome: Outcome;
  consentUrl: string | undefined;
  busy: boolean;
}) {
  if (busy)
    return (
      <p className="notice" role="status">
        Opening Microsoft’s consent page…
      </p>
    );
  switch (outcome) {
    case undefined:
      return consentUrl ? (
        <p className="notice" role="status">
          Waiting for Microsoft: finish consent in the window that opened.
        </p>
      ) : null;
    case 'granted':
      return (
        <SavedNotice>
          Consent granted: the tenant is connected. Sync a service to bring in its users.
        </SavedNotice>
      );
    case 'denied':
      return (
        <div className="notice notice-error" role="alert">
          Consent was not given: see the connection’s state above.
        </div>
      );
    case 'returned':
      return null;
    case 'closed':
      return (
        <p className="notice" role="status">
          The consent window was closed before Microsoft answered. Press Connect to try again.
        </p>
      );
    case 'blocked':
      return (
        <p className="notice" role="status">
          The browser blocked the consent window.{' '}
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
