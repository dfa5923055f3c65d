import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useSaveService } from '../api/queries.js';
import type { CreateService, Service, UpdateService } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { ErrorNotice, FieldsNotice, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';
import { navigate } from '../router.js';
import { findTemplate, PBX_TEMPLATES } from './pbx-templates.js';

type Draft = Record<
  | 'kind'
  | 'name'
  | 'pbxType'
  | 'location'
  | 'country'
  | 'sipDomain'
  | 'proxyHost'
  | 'proxyPort'
  | 'transport'
  | 'registrationExpiry',
  string
>;

function draftOf(s: Service | undefined): Draft {
  return {
    kind: s?.kind ?? 'pbx',
    name: s?.name ?? '',
    pbxType: s?.pbxType ?? '3cx',
    location: s?.location ?? 'default',
    country: s?.country ?? '',
    sipDomain: s?.sipDomain ?? '',
    proxyHost: s?.proxyHost ?? '',
    proxyPort: s?.proxyPort?.toString() ?? '',
    transport: s?.transport ?? 'udp',
    registrationExpiry: (s?.registrationExpiry ?? 3600).toString(),
  };
}

const transportOf = (v: string) => (v === 'tcp' || v === 'tls' ? v : 'udp');
const numberOrNull = (v: string) => (v.trim() === '' ? null : Number(v));

function toBody(d: Draft): CreateService & UpdateService {
  return {
    kind: d.kind === 'trunk' ? 'trunk' : 'pbx',
    name: d.name,
    pbxType: d.pbxType,
    location: d.location,
    country: d.country.trim() === '' ? null : d.country.trim().toUpperCase(),
    sipDomain: d.sipDomain,
    proxyHost: d.proxyHost.trim() === '' ? null : d.proxyHost,
    proxyPort: numberOrNull(d.proxyPort),
    transport: transportOf(d.transport),
    registrationExpiry: Number(d.registrationExpiry),
  };
}

/** Numbers typed as text are checked here: the API would only see them as "not a number". */
function wholeNumberErrors(d: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (d.proxyPort.trim() !== '' && !/^\d+$/.test(d.proxyPort.trim()))
    errors.proxyPort = 'must be a whole number';
  if (!/^\d+$/.test(d.registrationExpiry.trim()))
    errors.registrationExpiry = 'must be a whole number of seconds';
  return errors;
}

/** PBX service settings: template, location, SIP domain, proxy, port, transport, registration expiry. */
export function ServiceForm({ accountId, service }: { accountId: string; service: Service | undefined }) {
  const save = useSaveService(accountId, service?.id);
  const [draft, setDraft] = useState(() => draftOf(service));
  const error = save.error instanceof ApiError ? save.error : undefined;
  const formRef = useFocusFirstInvalid(save.error);
  const set = (key: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const fieldError = (name: string) => localErrors[name] ?? error?.fieldMessage(name);
  const template = findTemplate(draft.pbxType);

  const pickTemplate = (value: string) => {
    const t = findTemplate(value);
    setDraft((d) => ({
      ...d,
      pbxType: value,
      ...(t && {
        transport: t.transport,
        proxyPort: d.proxyHost ? t.proxyPort.toString() : d.proxyPort,
        registrationExpiry: t.registrationExpiry.toString(),
      }),
    }));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = wholeNumberErrors(draft);
    setLocalErrors(found);
    if (Object.keys(found).length > 0) return;
    const { kind, ...changes } = toBody(draft);
    save.mutate(service ? changes : { kind, ...changes }, {
      onSuccess: (saved) => {
        setDraft(draftOf(saved));
        if (!service) navigate(`/accounts/${accountId}/services/${saved.id}`, { replace: true });
      },
    });
  };
  const otherError = error && error.issues.length === 0;
  return (
    <form ref={formRef} className="card form-grid" onSubmit={submit} noValidate aria-label="Service settings">
      {otherError && <ErrorNotice error={error} />}
      {error && !otherError && <FieldsNotice count={error.issues.length} />}
      {save.isSuccess && service && <SavedNotice>Settings saved.</SavedNotice>}
      <TextField label="Name" value={draft.name} onChange={set('name')} error={fieldError('name')} required />
      <SelectField
        label="PBX template"
        value={template ? draft.pbxType : ''}
        onChange={(e) => pickTemplate(e.target.value || 'custom')}
        hint={template?.hint ?? `Stored type: ${draft.pbxType}`}
        error={fieldError('pbxType')}
      >
        {!template && <option value="">{draft.pbxType}</option>}
        {PBX_TEMPLATES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </SelectField>
      <TextField
        label="SIP domain"
        value={draft.sipDomain}
        onChange={set('sipDomain')}
        error={fieldError('sipDomain')}
        hint="The domain users register in, e.g. pbx.contoso.com."
        required
        autoComplete="off"
        spellCheck={false}
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
        label="SIP proxy (optional)"
        value={draft.proxyHost}
        onChange={set('proxyHost')}
        error={fieldError('proxyHost')}
        hint="Where REGISTERs are sent, when not to the SIP domain itself."
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Proxy port"
        inputMode="numeric"
        value={draft.proxyPort}
        onChange={set('proxyPort')}
        error={fieldError('proxyPort')}
        hint="Blank: the port DNS gives (5060 for UDP/TCP, 5061 for TLS)."
      />
      <TextField
        label="Registration expiry (seconds)"
        inputMode="numeric"
        value={draft.registrationExpiry}
        onChange={set('registrationExpiry')}
        error={fieldError('registrationExpiry')}
        hint="60 to 86400. If users show “expiring”, ask for a longer expiry on the PBX."
      />
      <TextField
        label="Location"
        value={draft.location}
        onChange={set('location')}
        error={fieldError('location')}
        hint="Where the PBX is; registrations come from the nearest node. “default” lets Callbridge choose."
      />
      <TextField
        label="Country (optional)"
        value={draft.country}
        onChange={(e) => setDraft((d) => ({ ...d, country: e.target.value.toUpperCase() }))}
        error={fieldError('country')}
        hint="Two letters, e.g. GB: lets numbers be typed the national way (01235 123465)."
        maxLength={2}
        autoComplete="off"
      />
      {!service && (
        <SelectField
          label="Service type"
          value={draft.kind}
          onChange={set('kind')}
          error={fieldError('kind')}
        >
          <option value="pbx">PBX (users register to it)</option>
          <option value="trunk">SIP trunk</option>
        </SelectField>
      )}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {service ? 'Save settings' : 'Add service'}
        </button>
      </div>
    </form>
  );
}
