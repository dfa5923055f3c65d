import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { SelectField, TextField } from '../components/field.js';
import { ErrorNotice } from '../components/status.js';
import { useCreateAlertSubscription } from './alerts-queries.js';

/** Adds a webhook (https URL and a signing secret, never shown again) or an email address for alerts. */
export function SubscriptionForm({ accountId }: { accountId: string }) {
  const create = useCreateAlertSubscription(accountId);
  const [channel, setChannel] = useState<'webhook' | 'email'>('webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [email, setEmail] = useState('');
  const error = create.error instanceof ApiError ? create.error : undefined;
  const fieldError = (field: string) => error?.fieldMessage(field);
  const fieldsShown = ['name', 'url', 'secret', 'email'].some((f) => fieldError(f));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(channel === 'webhook' ? { channel, name, url, secret } : { channel, name, email }, {
      onSuccess: () => {
        setName('');
        setUrl('');
        setSecret('');
        setEmail('');
      },
    });
  };
  return (
    <form className="card form-grid" onSubmit={submit} noValidate aria-label="Add a subscription">
      <h2 className="field-wide">Add a subscription</h2>
      {!fieldsShown && <ErrorNotice error={create.error} />}
      <SelectField
        label="Send by"
        value={channel}
        onChange={(e) => setChannel(e.target.value as 'webhook' | 'email')}
      >
        <option value="webhook">Webhook</option>
        <option value="email">Email</option>
      </SelectField>
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fieldError('name')}
        maxLength={100}
        required
      />
      {channel === 'webhook' ? (
        <>
          <TextField
            label="URL"
            type="text"
            inputMode="url"
            wide
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            error={fieldError('url')}
            hint="https:// on a public address; redirects are not followed."
            placeholder="https://noc.example.com/hooks/callbridge"
            required
          />
          <TextField
            label="Signing secret"
            type="password"
            wide
            autoComplete="new-password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            error={fieldError('secret')}
            hint="At least 16 characters. Each delivery carries Callbridge-Signature: t=<time>,v1=<HMAC-SHA256 of time.body>. Stored encrypted; it is never shown again."
            required
          />
        </>
      ) : (
        <TextField
          label="Email address"
          type="email"
          wide
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldError('email')}
          required
        />
      )}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={create.isPending}>
          Add subscription
        </button>
      </div>
    </form>
  );
}
