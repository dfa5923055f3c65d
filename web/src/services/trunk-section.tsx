import { Fragment, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useSaveTrunk, useTrunk, type Trunk, type TrunkInput } from '../api/trunk-queries.js';
import { CheckField, SelectField, TextAreaField, TextField } from '../components/field.js';
import { ErrorNotice, FieldsNotice, SavedNotice } from '../components/status.js';

type Draft = Record<
  | 'kind'
  | 'domain'
  | 'addresses'
  | 'transport'
  | 'username'
  | 'authUsername'
  | 'password'
  | 'numberFormat'
  | 'numberPrefix'
  | 'calledNumberFrom'
  | 'maxChannels'
  | 'codecs',
  string
> & { assertIdentity: boolean };

function draftOf(t: Trunk | null | undefined): Draft {
  return {
    kind: t?.kind ?? 'ip',
    domain: t?.domain ?? '',
    addresses: (t?.addresses ?? []).map((a) => (a.port ? `${a.host}:${a.port}` : a.host)).join('\n'),
    transport: t?.transport ?? 'udp',
    username: t?.username ?? '',
    authUsername: t?.authUsername ?? '',
    password: '',
    numberFormat: t?.numberFormat ?? 'e164',
    numberPrefix: t?.numberPrefix ?? '',
    calledNumberFrom: t?.calledNumberFrom ?? 'request-uri',
    maxChannels: t?.maxChannels?.toString() ?? '',
    codecs: (t?.codecs ?? ['PCMU', 'PCMA', 'telephone-event']).join(', '),
    assertIdentity: t?.assertIdentity ?? true,
  };
}

const blankToNull = (v: string) => (v.trim() === '' ? null : v.trim());

/** The form as the API takes it; the API checks every rule and names the field. */
function toBody(d: Draft): TrunkInput {
  return {
    kind: d.kind === 'registration' ? 'registration' : 'ip',
    domain: d.domain,
    addresses: d.addresses
      .split(/\s+/)
      .filter((line) => line !== '')
      .map((line) => {
        const [host = '', port] = line.split(':');
        return { host, port: port ? Number(port) : null };
      }),
    transport: d.transport === 'tcp' || d.transport === 'tls' ? d.transport : 'udp',
    username: blankToNull(d.username),
    authUsername: blankToNull(d.authUsername),
    ...(d.password !== '' && { password: d.password }),
    numberFormat: d.numberFormat as TrunkInput['numberFormat'],
    numberPrefix: d.numberPrefix.trim(),
    calledNumberFrom: d.calledNumberFrom as TrunkInput['calledNumberFrom'],
    assertIdentity: d.assertIdentity,
    maxChannels: d.maxChannels.trim() === '' ? null : Number(d.maxChannels),
    codecs: d.codecs
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '') as TrunkInput['codecs'],
  };
}

/** A trunk service's SIP trunk: its state (registration, address health) and its settings. */
export function TrunkSection({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const trunk = useTrunk(accountId, serviceId);
  if (trunk.isPending) return <p className="muted">Loading the trunk…</p>;
  if (trunk.error) return <ErrorNotice error={trunk.error} />;
  return (
    <>
      {trunk.data && <TrunkState trunk={trunk.data} />}
      <TrunkForm accountId={accountId} serviceId={serviceId} trunk={trunk.data} />
    </>
  );
}

function TrunkState({ trunk }: { trunk: Trunk }) {
  return (
    <section className="card" aria-labelledby="trunk-state-heading">
      <h2 id="trunk-state-heading">Trunk state</h2>
      <dl className="facts">
        {trunk.kind === 'registration' && (
          <>
            <dt>Registration</dt>
            <dd>{trunk.registration ? trunk.registration.state : 'pending'}</dd>
          </>
        )}
        {trunk.health.map((h) => (
          <Fragment key={h.address}>
            <dt>{h.address}</dt>
            <dd>{h.healthy ? 'answers OPTIONS' : `not answering${h.reason ? `: ${h.reason}` : ''}`}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}

function TrunkForm({
  accountId,
  serviceId,
  trunk,
}: {
  accountId: string;
  serviceId: string;
  trunk: Trunk | null;
}) {
  const save = useSaveTrunk(accountId, serviceId);
  const [draft, setDraft] = useState(() => draftOf(trunk));
  const error = save.error instanceof ApiError ? save.error : undefined;
  const set = (key: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  const fieldError = (name: string) => error?.fieldMessage(name);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(toBody(draft), { onSuccess: (saved) => setDraft(draftOf(saved)) });
  };
  const otherError = error && error.issues.length === 0;
  return (
    <form className="card form-grid" onSubmit={submit} noValidate aria-label="SIP trunk">
      <h2 className="wide">SIP trunk</h2>
      {otherError && <ErrorNotice error={error} />}
      {error && !otherError && <FieldsNotice count={error.issues.length} />}
      {save.isSuccess && <SavedNotice>Trunk saved.</SavedNotice>}
      <SelectField label="Kind" value={draft.kind} onChange={set('kind')} error={fieldError('kind')}>
        <option value="ip">IP-authenticated (the carrier sends from its addresses)</option>
        <option value="registration">Registration (Callbridge registers with a username)</option>
      </SelectField>
      <TextField
        label="Trunk domain"
        value={draft.domain}
        onChange={set('domain')}
        error={fieldError('domain')}
        required
      />
      <TextAreaField
        label="Addresses"
        value={draft.addresses}
        onChange={set('addresses')}
        error={fieldError('addresses')}
        hint="One host[:port] a line, in order of preference; blank: the domain by DNS SRV."
        rows={3}
      />
      <SelectField
        label="Transport"
        value={draft.transport}
        onChange={set('transport')}
        error={fieldError('transport')}
      >
        <option value="udp">UDP</option>
        <option value="tcp">TCP</option>
        <option value="tls">TLS</option>
      </SelectField>
      <TextField
        label="Username"
        value={draft.username}
        onChange={set('username')}
        error={fieldError('username')}
        autoComplete="off"
      />
      <TextField
        label="Auth username (optional)"
        value={draft.authUsername}
        onChange={set('authUsername')}
        error={fieldError('authUsername')}
        autoComplete="off"
      />
      <TextField
        label="Password"
        type="password"
        value={draft.password}
        onChange={set('password')}
        error={fieldError('password')}
        hint={
          trunk?.hasPassword
            ? 'A password is stored; leave blank to keep it.'
            : 'Needed for a registration trunk.'
        }
        autoComplete="new-password"
      />
      <SelectField
        label="Number format"
        value={draft.numberFormat}
        onChange={set('numberFormat')}
        error={fieldError('numberFormat')}
      >
        <option value="e164">E.164 with + (+441235123465)</option>
        <option value="e164-no-plus">E.164 without + (441235123465)</option>
        <option value="national">National (01235123465)</option>
      </SelectField>
      <TextField
        label="Number prefix (optional)"
        value={draft.numberPrefix}
        onChange={set('numberPrefix')}
        error={fieldError('numberPrefix')}
        inputMode="numeric"
      />
      <SelectField
        label="Called number from"
        value={draft.calledNumberFrom}
        onChange={set('calledNumberFrom')}
        error={fieldError('calledNumberFrom')}
      >
        <option value="request-uri">Request-URI</option>
        <option value="to">To</option>
        <option value="diversion">Diversion</option>
        <option value="history-info">History-Info</option>
      </SelectField>
      <TextField
        label="Maximum channels (optional)"
        value={draft.maxChannels}
        onChange={set('maxChannels')}
        error={fieldError('maxChannels')}
        inputMode="numeric"
      />
      <TextField
        label="Codecs"
        value={draft.codecs}
        onChange={set('codecs')}
        error={fieldError('codecs')}
        hint="PCMU, PCMA, G722, telephone-event in order."
      />
      <CheckField
        label="Send P-Asserted-Identity"
        checked={draft.assertIdentity}
        onChange={(e) => setDraft((d) => ({ ...d, assertIdentity: e.target.checked }))}
        hint="With Privacy: id when the Teams caller withholds their number."
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          Save trunk
        </button>
      </div>
    </form>
  );
}
