import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useCreateAccount } from '../api/queries.js';
import { TextField } from '../components/field.js';
import { ErrorNotice } from '../components/status.js';
import { navigate } from '../router.js';

/** Adds a partner account, or a client account beneath a partner, and opens it. */
export function CreateAccountForm({ kind, parentId }: { kind: 'partner' | 'client'; parentId?: string }) {
  const create = useCreateAccount();
  const [name, setName] = useState('');
  const error = create.error instanceof ApiError ? create.error : undefined;
  const nameError = error?.fieldMessage('name');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, kind, ...(parentId && { parentId }) },
      { onSuccess: (account) => navigate(`/accounts/${account.id}`) },
    );
  };
  const title = kind === 'partner' ? 'Add a partner account' : 'Add a client account';
  return (
    <form className="card form-inline" onSubmit={submit} noValidate aria-label={title}>
      <h2>{title}</h2>
      {!nameError && <ErrorNotice error={create.error} />}
      <div className="form-inline-row">
        <TextField
          label={kind === 'partner' ? 'Partner name' : 'Client name'}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError}
          required
          maxLength={200}
        />
        <button type="submit" className="button-primary" disabled={create.isPending}>
          {kind === 'partner' ? 'Add partner' : 'Add client'}
        </button>
      </div>
    </form>
  );
}
