import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { useInvite, type InviteAnswer } from '../api/access-queries.js';
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

interface EmailRoleMutation<T> {
  mutate(input: { email: string; role: Role }, options: { onSuccess: () => void }): void;
  isPending: boolean;
  isSuccess: boolean;
  error: unknown;
  data: T | undefined;
}

/** An email and a role, submitted to `mutation` (inviting; a role is always granted by invitation). */
function EmailRoleForm<T>({
  id,
  heading,
  intro,
  emailLabel,
  submitLabel,
  grantable,
  mutation,
  done,
}: {
  id: string;
  heading: string;
  intro?: string;
  emailLabel: string;
  submitLabel: string;
  grantable: Role[];
  mutation: EmailRoleMutation<T>;
  done: (data: T) => ReactNode;
}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(grantable[0]!);
  const form = useFocusFirstInvalid(mutation.error);
  const error = mutation.error instanceof ApiError ? mutation.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') });
  };
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      {intro && <p className="muted">{intro}</p>}
      {error && error.issues.length === 0 && <ErrorNotice error={error} />}
      <TextField
        label={emailLabel}
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={error?.fieldMessage('email')}
        autoComplete="off"
        required
      />
      <RoleSelect grantable={grantable} value={role} onChange={setRole} error={error?.fieldMessage('role')} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={mutation.isPending || !email.trim()}>
          {submitLabel}
        </button>
      </div>
      {mutation.isSuccess && mutation.data !== undefined && done(mutation.data)}
    </form>
  );
}

/** Invite someone by email to a role; without a mail server the link is shown here to pass on. */
export function InviteForm({ accountId, grantable }: { accountId: string; grantable: Role[] }) {
  return (
    <EmailRoleForm
      id="invite-heading"
      heading="Invite an administrator"
      intro="Also for someone who already signs in: the role applies once they accept."
      emailLabel="Email"
      submitLabel="Send invitation"
      grantable={grantable}
      mutation={useInvite(accountId)}
      done={(answer) => <InviteSent answer={answer} />}
    />
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
