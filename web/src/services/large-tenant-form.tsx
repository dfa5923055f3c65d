import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useSaveTeamsSettings } from '../api/phone-app-queries.js';
import type { PhoneAppStatus } from '../api/types.js';
import { CheckField, TextAreaField, TextField } from '../components/field.js';
import { ErrorNotice, FieldsNotice, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';

/** Group ids typed one a line, or separated by commas or spaces. */
export function parseGroupIds(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((id) => id.trim())
    .filter(Boolean);
}

/** The first message the API gave about a field or one of its items (`standardGroupIds.2`). */
function messageFor(error: ApiError | undefined, field: string, ids?: string[]): string | undefined {
  const issue = error?.issues.find((i) => i.field === field || i.field.startsWith(`${field}.`));
  if (!issue) return undefined;
  const index = Number(issue.field.slice(field.length + 1));
  const which = ids && Number.isInteger(index) && ids[index] !== undefined ? ` (${ids[index]})` : '';
  return `${issue.message}${which}`;
}

/**
 * Large Tenant Mode: the sync reads only the (transitive) members of the chosen Entra ID security groups. Phone
 * App users have a group of their own, never one of the standard groups; the API's refusal shows at its field.
 */
export function LargeTenantForm({
  accountId,
  serviceId,
  teams,
  phoneApp,
  writable,
}: {
  accountId: string;
  serviceId: string;
  teams: PhoneAppStatus['teams'];
  phoneApp: boolean;
  writable: boolean;
}) {
  const save = useSaveTeamsSettings(accountId, serviceId);
  const [on, setOn] = useState(teams.largeTenantMode);
  const [standard, setStandard] = useState(teams.standardGroupIds.join('\n'));
  const [phoneAppGroup, setPhoneAppGroup] = useState(teams.phoneAppGroupId ?? '');
  const form = useFocusFirstInvalid(save.error);
  const error = save.error instanceof ApiError ? save.error : undefined;
  const ids = parseGroupIds(standard);
  const fieldIssues = error?.issues.length ?? 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      largeTenantMode: on,
      standardGroupIds: ids,
      ...(phoneApp || phoneAppGroup.trim() ? { phoneAppGroupId: phoneAppGroup.trim() || null } : {}),
    });
  };
  return (
    <form
      ref={form}
      className="card large-tenant"
      onSubmit={submit}
      noValidate
      aria-labelledby="large-tenant-heading"
    >
      <h2 id="large-tenant-heading">
        Large Tenant Mode
        <span className={`badge ${teams.largeTenantMode ? 'badge-info' : 'badge-idle'}`}>
          {teams.largeTenantMode ? 'on' : 'off'}
        </span>
      </h2>
      <p className="muted">
        For tenants of more than about 1,000 users: the sync reads only the members of these Entra ID security
        groups, nested groups included.
      </p>
      {fieldIssues > 0 ? <FieldsNotice count={fieldIssues} /> : <ErrorNotice error={save.error} />}
      <fieldset disabled={!writable} className="plain-fieldset">
        <legend className="visually-hidden">Large Tenant Mode settings</legend>
        <CheckField
          label="Large Tenant Mode"
          role="switch"
          checked={on}
          onChange={(e) => setOn(e.target.checked)}
        />
        <TextAreaField
          label="Standard users’ group ids"
          value={standard}
          onChange={(e) => setStandard(e.target.value)}
          error={messageFor(error, 'standardGroupIds', ids)}
          rows={4}
          spellCheck={false}
          autoComplete="off"
          hint="Entra ID group object ids (GUIDs), one a line or separated by commas."
        />
        {phoneApp && (
          <TextField
            label="Phone App users’ group id"
            value={phoneAppGroup}
            onChange={(e) => setPhoneAppGroup(e.target.value)}
            error={messageFor(error, 'phoneAppGroupId')}
            spellCheck={false}
            autoComplete="off"
            hint="A separate group: Phone App users cannot be in the standard users’ groups."
          />
        )}
      </fieldset>
      {writable && (
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={save.isPending}>
            Save
          </button>
        </div>
      )}
      {save.isSuccess && (
        <SavedNotice>Saved. The next sync reads {on ? 'these groups' : 'all users'}.</SavedNotice>
      )}
    </form>
  );
}
