import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useUpdateAccount } from '../api/queries.js';
import type { Account } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { ErrorNotice, SavedNotice } from '../components/status.js';

/** Rename an account, or suspend and reactivate it. */
export function AccountSettingsForm({ account }: { account: Account }) {
  const update = useUpdateAccount(account.id);
  const [name, setName] = useState(account.name);
  const [status, setStatus] = useState(account.status);
  const error = update.error instanceof ApiError ? update.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({
      ...(name !== account.name && { name }),
      ...(status !== account.status && { status }),
    });
  };
  const unchanged = name === account.name && status === account.status;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="account-settings-heading">
      <h2 id="account-settings-heading">Account settings</h2>
      {error && !error.fieldMessage('name') && <ErrorNotice error={error} />}
      {update.isSuccess && unchanged && <SavedNotice>Saved.</SavedNotice>}
      <TextField
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={error?.fieldMessage('name')}
        maxLength={200}
      />
      <SelectField
        label="Status"
        value={status}
        onChange={(e) => setStatus(e.target.value === 'suspended' ? 'suspended' : 'active')}
      >
        <option value="active">Active</option>
        <option value="suspended">Suspended</option>
      </SelectField>
      <button type="submit" className="button-primary" disabled={unchanged || update.isPending}>
        Save
      </button>
      <p className="hint">Created {new Date(account.createdAt).toLocaleDateString()}</p>
    </form>
  );
}
