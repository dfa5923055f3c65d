import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useCreateUser, useUpdateUser } from '../api/queries.js';
import type { Service, User } from '../api/types.js';
import { CheckField, SelectField, TextField } from '../components/field.js';
import { ErrorNotice, FieldsNotice, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';
import { navigate } from '../router.js';
import { NumberField } from './number-field.js';
import { PasswordField } from './password-field.js';
import { createBody, draftOf, updateBody, type UserDraft } from './user-draft.js';

/** Adds a user (user undefined) or changes one: number, SIP credentials, registration. */
export function UserForm({
  accountId,
  user,
  services,
}: {
  accountId: string;
  user: User | undefined;
  services: Service[];
}) {
  const create = useCreateUser(accountId);
  const update = useUpdateUser(accountId, user?.id ?? '');
  const save = user ? update : create;
  const [draft, setDraft] = useState<UserDraft>(() => draftOf(user, services[0]?.id));
  const [sent, setSent] = useState<UserDraft | undefined>();
  const [nothingToSave, setNothingToSave] = useState(false);
  const error = save.error instanceof ApiError ? save.error : undefined;
  const formRef = useFocusFirstInvalid(save.error);
  // The API's verdict on a field holds until the field is edited.
  const fieldError = (field: keyof UserDraft) =>
    sent && draft[field] === sent[field] ? error?.fieldMessage(field) : undefined;
  const change = <K extends keyof UserDraft>(key: K, value: UserDraft[K]) => {
    setNothingToSave(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const text = (key: keyof UserDraft) => (e: { target: { value: string } }) => change(key, e.target.value);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSent(draft);
    if (!user) {
      create.mutate(createBody(draft), {
        onSuccess: (created) => navigate(`/accounts/${accountId}/users/${created.id}`, { replace: true }),
      });
      return;
    }
    const body = updateBody(user, draft);
    if (!body) return setNothingToSave(true);
    update.mutate(body, { onSuccess: (saved) => setDraft(draftOf(saved)) });
  };
  const unplaced = error && !error.issues.some((i) => i.field in draft);
  const stale = error?.code === 'conflict' && typeof error.details.currentVersion === 'number';
  return (
    <form
      ref={formRef}
      className="card form-grid"
      onSubmit={submit}
      noValidate
      aria-label={user ? 'User settings' : 'New user'}
    >
      {unplaced && <ErrorNotice error={error} />}
      {error && !unplaced && <FieldsNotice count={error.issues.length} />}
      {stale && (
        <button type="button" onClick={() => window.location.reload()}>
          Reload the user
        </button>
      )}
      {update.isSuccess && !nothingToSave && sent && <SavedNotice>Saved.</SavedNotice>}
      {update.isSuccess && !nothingToSave && (update.data.warnings?.length ?? 0) > 0 && (
        <div className="notice notice-warn" role="status">
          {update.data.warnings?.map((warning) => (
            <p key={warning}>{warning}</p>
          ))}
        </div>
      )}
      {nothingToSave && <SavedNotice>Nothing has changed.</SavedNotice>}
      {!user && (
        <>
          <SelectField
            label="Service"
            value={draft.serviceId}
            onChange={text('serviceId')}
            error={fieldError('serviceId')}
          >
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Email"
            type="email"
            value={draft.email}
            onChange={text('email')}
            error={fieldError('email')}
            hint="Must match the user’s Microsoft 365 sign-in (UPN or email)."
            autoComplete="off"
            required
          />
        </>
      )}
      <TextField
        label="Display name"
        value={draft.displayName}
        onChange={text('displayName')}
        error={fieldError('displayName')}
        required
      />
      <TextField
        label="External ID (optional)"
        value={draft.externalId}
        onChange={text('externalId')}
        error={fieldError('externalId')}
        hint="Your own reference, e.g. the PBX extension ID."
      />
      <NumberField
        value={draft.phoneNumber}
        onChange={(v) => change('phoneNumber', v)}
        error={error}
        stale={!sent || draft.phoneNumber !== sent.phoneNumber}
      />
      <TextField
        label="SIP username"
        value={draft.sipUsername}
        onChange={text('sipUsername')}
        error={fieldError('sipUsername')}
        hint="The extension’s SIP user on the PBX, e.g. 201."
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Auth username (optional)"
        value={draft.authUsername}
        onChange={text('authUsername')}
        error={fieldError('authUsername')}
        hint="Only when the PBX authenticates with a name other than the SIP username."
        autoComplete="off"
        spellCheck={false}
      />
      <PasswordField
        isSet={user?.hasSipPassword ?? false}
        value={draft.sipPassword}
        onChange={(v) => change('sipPassword', v)}
        remove={draft.removePassword}
        onRemoveChange={(v) => change('removePassword', v)}
        error={fieldError('sipPassword')}
      />
      <CheckField
        label="Register this user to the PBX"
        checked={draft.registrationEnabled}
        onChange={(e) => change('registrationEnabled', e.target.checked)}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {user ? 'Save' : 'Add user'}
        </button>
      </div>
    </form>
  );
}
