import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useSaveService } from '../api/queries.js';
import type { Service } from '../api/types.js';
import { CheckField, SelectField, TextField } from '../components/field.js';
import { ErrorNotice, FieldsNotice, SavedNotice } from '../components/status.js';
import { useFocusFirstInvalid } from '../components/use-focus-invalid.js';

type Calls = Service['calls'];
type NumberField =
  | 'ringTimeoutSeconds'
  | 'teamsRingDelaySeconds'
  | 'maxCallsPerUser'
  | 'maxCallsPerService'
  | 'maxCallMinutes';
/** Numbers as typed; a blank limit means "no limit" (null). */
type Draft = Record<NumberField, string> &
  Pick<Calls, 'ringback' | 'holdMode' | 'pbxNoAnswerToTeamsVoicemail'>;

const LIMITS: NumberField[] = ['maxCallsPerUser', 'maxCallsPerService', 'maxCallMinutes'];

function draftOf(calls: Calls): Draft {
  return {
    ringTimeoutSeconds: String(calls.ringTimeoutSeconds),
    teamsRingDelaySeconds: String(calls.teamsRingDelaySeconds),
    maxCallsPerUser: calls.maxCallsPerUser?.toString() ?? '',
    maxCallsPerService: calls.maxCallsPerService?.toString() ?? '',
    maxCallMinutes: calls.maxCallMinutes?.toString() ?? '',
    ringback: calls.ringback,
    holdMode: calls.holdMode,
    pbxNoAnswerToTeamsVoicemail: calls.pbxNoAnswerToTeamsVoicemail,
  };
}

/** Numbers typed as text are checked here: the API would only see them as "not a number". */
function wholeNumberErrors(d: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const key of ['ringTimeoutSeconds', 'teamsRingDelaySeconds', ...LIMITS] as const) {
    const value = d[key].trim();
    if (value === '' && LIMITS.includes(key)) continue;
    if (!/^\d+$/.test(value)) errors[`calls.${key}`] = 'must be a whole number';
  }
  return errors;
}

function toCalls(d: Draft): Calls {
  const limit = (v: string) => (v.trim() === '' ? null : Number(v));
  return {
    ringTimeoutSeconds: Number(d.ringTimeoutSeconds),
    teamsRingDelaySeconds: Number(d.teamsRingDelaySeconds),
    maxCallsPerUser: limit(d.maxCallsPerUser),
    maxCallsPerService: limit(d.maxCallsPerService),
    maxCallMinutes: limit(d.maxCallMinutes),
    ringback: d.ringback,
    holdMode: d.holdMode,
    pbxNoAnswerToTeamsVoicemail: d.pbxNoAnswerToTeamsVoicemail,
  };
}

/**
 * A service's call settings (issue 17): ring timeout, ringback toward the PBX, hold toward Teams, the voicemail
 * race and the limits. Saved with the service's PATCH (`calls`); they apply from the next call on.
 */
export function CallSettingsForm({ accountId, service }: { accountId: string; service: Service }) {
  const save = useSaveService(accountId, service.id);
  const [draft, setDraft] = useState(() => draftOf(service.calls));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const error = save.error instanceof ApiError ? save.error : undefined;
  const formRef = useFocusFirstInvalid(save.error);
  const fieldError = (key: string) => localErrors[`calls.${key}`] ?? error?.fieldMessage(`calls.${key}`);
  const text = (key: NumberField) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value })),
    error: fieldError(key),
    inputMode: 'numeric' as const,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = wholeNumberErrors(draft);
    setLocalErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate({ calls: toCalls(draft) }, { onSuccess: (saved) => setDraft(draftOf(saved.calls)) });
  };
  const otherError = error && error.issues.length === 0;
  return (
    <form
      ref={formRef}
      className="card form-grid"
      onSubmit={submit}
      noValidate
      aria-labelledby="calls-heading"
    >
      <h2 id="calls-heading">Calls</h2>
      {otherError && <ErrorNotice error={error} />}
      {error && !otherError && <FieldsNotice count={error.issues.length} />}
      {save.isSuccess && <SavedNotice>Call settings saved; they apply from the next call.</SavedNotice>}
      <TextField
        label="Ring timeout (seconds)"
        {...text('ringTimeoutSeconds')}
        hint="5 to 600: then the caller hears “no answer”."
      />
      <SelectField
        label="Ringback toward the PBX"
        value={draft.ringback}
        onChange={(e) => setDraft((d) => ({ ...d, ringback: e.target.value as Calls['ringback'] }))}
        error={fieldError('ringback')}
        hint="If callers on the PBX stop hearing ringing when a Teams user’s devices ring, try “first ringing only”."
      >
        <option value="pass-through">Pass every ringing and early media through</option>
        <option value="first-18x-only">First ringing only</option>
        <option value="183-as-180">Early media as plain ringing</option>
      </SelectField>
      <SelectField
        label="Hold from the PBX"
        value={draft.holdMode}
        onChange={(e) => setDraft((d) => ({ ...d, holdMode: e.target.value as Calls['holdMode'] }))}
        error={fieldError('holdMode')}
      >
        <option value="inactive">Silence toward Teams (a=inactive)</option>
        <option value="music-from-pbx">The PBX’s music on hold reaches Teams</option>
      </SelectField>
      <TextField
        label="Delay before ringing Teams (seconds)"
        {...text('teamsRingDelaySeconds')}
        hint="0 rings at once. A delay lets the PBX’s voicemail answer before Teams’ voicemail does."
      />
      <CheckField
        label="Calls the PBX forwards on no answer go to Teams voicemail"
        checked={draft.pbxNoAnswerToTeamsVoicemail}
        onChange={(e) => setDraft((d) => ({ ...d, pbxNoAnswerToTeamsVoicemail: e.target.checked }))}
      />
      <TextField
        label="Calls at once per user"
        {...text('maxCallsPerUser')}
        hint="Blank: no limit. More are refused as busy."
      />
      <TextField
        label="Calls at once for the service"
        {...text('maxCallsPerService')}
        hint="Blank: no limit."
      />
      <TextField
        label="Longest call (minutes)"
        {...text('maxCallMinutes')}
        hint="Blank: no limit. A longer call is ended on both sides."
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          Save call settings
        </button>
      </div>
    </form>
  );
}
