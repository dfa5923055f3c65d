import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useGrantRole, useInvite, type InviteAnswer } from '../api/access-queries.js';
import type { Role } from '../api/types.js';
import { SelectField, TextField } from '../components/field.js';
import { ErrorNotice, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';
import { ROLE_LABELS } from './role-labels.js';

function RoleSelect({
  grantable,
  value,
  onChange,
  error,
}: {
  grantable: Role[];
  value: Role;
  onChange: (role: Role) => void;
  error: string | undefined;
}) {
  return (
    <SelectField
      label="Role"
      value={value}
      error={error}
      onChange={(e) => onChange(grantable.find((r) => r === e.target.value) ?? grantable[0]!)}
    >
      {grantable.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </SelectField>
  );
}

/** Invite someone by email to a role; without a mail server the link is shown here to pass on. */
export function InviteForm({ accountId, grantable }: { accountId: string; grantable: Role[] }) {
  const invite = useInvite(accountId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(grantable[0]!);
  const form = useFocusFirstInvalid(invite.error);
  const error = invite.error instanceof ApiError ? invite.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') });
  };
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite an administrator</h2>
      {error && error.issues.length === 0 && <ErrorNotice error={error} />}
      <TextField
        label="Email"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={error?.fieldMessage('email')}
        autoComplete="off"
        required
      />
      <RoleSelect grantable={grantable} value={role} onChange={setRole} error={error?.fieldMessage('role')} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={invite.isPending || !email.trim()}>
          Send invitation
        </button>
      </div>
      {invite.data && <InviteSent answer={invite.data} />}
    </form>
  );
}

function InviteSent({ answer }: { answer: InviteAnswer }) {
  const [copied, setCopied] = useState(false);
  const { email } = answer.invitation;
  if (!answer.link) return <SavedNotice>Invitation emailed to {email}.</SavedNotice>;
  const link = answer.link;
  const copy = () => {
    void navigator.clipboard?.writeText(link).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="notice notice-warn invite-link" role="status">
      <p>
        The invitation for {email} was <strong>not emailed</strong> (no mail server is set up). Pass this link
        on to them; it works once, for 7 days.
      </p>
      <div className="copy-row">
        <input
          type="text"
          readOnly
          value={link}
          aria-label="Invitation link"
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

/** Grant a role to someone who already has a Callbridge sign-in. */
export function GrantRoleForm({ accountId, grantable }: { accountId: string; grantable: Role[] }) {
  const grant = useGrantRole(accountId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(grantable[0]!);
  const form = useFocusFirstInvalid(grant.error);
  const error = grant.error instanceof ApiError ? grant.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    grant.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') });
  };
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby="grant-heading">
      <h2 id="grant-heading">Grant a role</h2>
      <p className="muted">To an administrator who already signs in to Callbridge.</p>
      {error && error.issues.length === 0 && <ErrorNotice error={error} />}
      <TextField
        label="Administrator’s email"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={error?.fieldMessage('email')}
        autoComplete="off"
        required
      />
      <RoleSelect grantable={grantable} value={role} onChange={setRole} error={error?.fieldMessage('role')} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={grant.isPending || !email.trim()}>
          Grant role
        </button>
      </div>
      {grant.isSuccess && <SavedNotice>Role granted.</SavedNotice>}
    </form>
  );
}
