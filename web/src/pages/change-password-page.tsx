import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useChangePassword } from '../api/password-queries.js';
import { useSignOut } from '../api/queries.js';
import type { Administrator } from '../api/types.js';
import { TextField } from '../components/field.js';
import { ErrorNotice, PageTitle, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';

/**
 * Changing one's own password: the current one, then the new one twice. `forced`: the first sign-in with a
 * password someone else chose (printed at the first start, set by an operator): the only page until it is done.
 */
export function ChangePasswordPage({
  administrator,
  forced = false,
}: {
  administrator: Administrator;
  forced?: boolean;
}) {
  const change = useChangePassword();
  const signOut = useSignOut();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const form = useFocusFirstInvalid(change.error);
  const error = change.error instanceof ApiError ? change.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(newPassword !== repeated);
    if (newPassword !== repeated) {
      // The answer to an earlier attempt no longer describes these fields.
      change.reset();
      return;
    }
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrent('');
          setNew('');
          setRepeated('');
        },
      },
    );
  };
  const body = (
    <form ref={form} className={forced ? 'card sign-in-card' : 'card'} onSubmit={submit} noValidate>
      {forced && <p className="brand brand-large">Callbridge</p>}
      <PageTitle title="Choose a new password">
        {forced ? 'Choose a new password' : 'Change password'}
      </PageTitle>
      <p className="muted">
        {forced
          ? `The password you signed in with as ${administrator.email} was chosen by someone else (printed at the first start, or set by an operator). Choose your own before going on.`
          : `The password you sign in with as ${administrator.email}. Your other sessions end when it changes.`}
      </p>
      {error && error.issues.length === 0 && <ErrorNotice error={error} />}
      <TextField
        label="Current password"
        type="password"
        name="current-password"
        autoComplete="current-password"
        required
        value={currentPassword}
        onChange={(e) => setCurrent(e.target.value)}
        error={error?.fieldMessage('currentPassword')}
      />
      <TextField
        label="New password"
        type="password"
        name="new-password"
        autoComplete="new-password"
        required
        value={newPassword}
        onChange={(e) => setNew(e.target.value)}
        error={error?.fieldMessage('newPassword')}
        hint="At least 12 characters."
      />
      <TextField
        label="New password again"
        type="password"
        name="repeat-password"
        autoComplete="new-password"
        required
        value={repeated}
        onChange={(e) => setRepeated(e.target.value)}
        error={mismatch ? 'does not match the new password' : undefined}
      />
      <div className="form-actions">
        <button
          type="submit"
          className="button-primary"
          disabled={change.isPending || !currentPassword || !newPassword || !repeated}
        >
          {change.isPending ? 'Saving…' : 'Change password'}
        </button>
        {forced && (
          <button type="button" className="button-quiet" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        )}
      </div>
      {!forced && change.isSuccess && <SavedNotice>Password changed.</SavedNotice>}
    </form>
  );
  if (forced)
    return (
      <main id="main" className="sign-in">
        {body}
      </main>
    );
  return <section className="page">{body}</section>;
}
