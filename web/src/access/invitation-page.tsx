import { useState, type FormEvent } from 'react';
import { useAcceptInvitation, useInvitationDescription } from '../api/access-queries.js';
import { ApiError } from '../api/client.js';
import { TextField } from '../components/field.js';
import { ErrorNotice, PageTitle } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';
import { ROLE_LABELS } from './role-labels.js';
import { navigate } from '../router.js';

/** The invitation token from the link's fragment (`/invitation#token=cbi_...`), which never reaches a server log. */
export function tokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token?.trim() || undefined;
}

/**
 * Accepting an invitation: a name and a password (or the password of the existing sign-in with that email);
 * the API signs the administrator in, and the portal opens on the accounts they now hold a role on.
 */
export function InvitationPage() {
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const accept = useAcceptInvitation();
  const described = useInvitationDescription(token);
  const invitation = described.data;
  const existing = invitation?.existingAdministrator === true;
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const form = useFocusFirstInvalid(accept.error);
  const error = accept.error instanceof ApiError ? accept.error : undefined;
  const passwordError = error?.fieldMessage('password');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!token) return;
    accept.mutate(
      { token, password, ...(displayName.trim() && { displayName: displayName.trim() }) },
      { onSuccess: () => navigate('/', { replace: true }) },
    );
  };
  return (
    <main id="main" className="sign-in">
      <form ref={form} className="card sign-in-card" onSubmit={submit} noValidate>
        <p className="brand brand-large">Callbridge</p>
        <PageTitle title="Accept the invitation">Accept the invitation</PageTitle>
        {token && described.error instanceof ApiError ? (
          <ErrorNotice error={described.error} />
        ) : token ? (
          <>
            <p className="muted">
              {invitation
                ? `You were invited to administer ${invitation.accountName} as ${ROLE_LABELS[invitation.role]}, with the email ${invitation.email}.`
                : 'You were invited to administer an account in Callbridge.'}{' '}
              {existing
                ? 'This email already signs in to Callbridge: confirm with its password to add the account to it.'
                : 'Choose how you sign in from now on.'}
            </p>
            {error && !passwordError && <ErrorNotice error={error} />}
            {!existing && (
              <TextField
                label="Your name"
                name="name"
                autoComplete="name"
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
                error={error?.fieldMessage('displayName')}
                hint="As other administrators will see it."
              />
            )}
            <TextField
              label={existing ? 'Your current password' : 'Password'}
              type="password"
              name="password"
              autoComplete={existing ? 'current-password' : 'new-password'}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={passwordError}
              hint={
                existing
                  ? `The password you sign in to Callbridge with as ${invitation?.email ?? 'this email'}.`
                  : 'At least 12 characters.'
              }
            />
            <button type="submit" className="button-primary" disabled={accept.isPending || !password}>
              {accept.isPending ? 'Accepting…' : 'Accept and sign in'}
            </button>
          </>
        ) : (
          <div className="notice notice-error" role="alert">
            This invitation link is incomplete: open the whole link from the invitation, or ask for a new one.
          </div>
        )}
      </form>
    </main>
  );
}
