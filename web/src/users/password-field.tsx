import { CheckField, TextField } from '../components/field.js';

/**
 * The SIP password is write-only: the portal only learns whether one is set. Typing here replaces it on save;
 * the field never shows the stored one.
 */
export function PasswordField({
  isSet,
  value,
  onChange,
  remove,
  onRemoveChange,
  error,
}: {
  isSet: boolean;
  value: string;
  onChange: (value: string) => void;
  remove: boolean;
  onRemoveChange: (remove: boolean) => void;
  error: string | undefined;
}) {
  return (
    <fieldset className="password-field">
      <legend>
        SIP password{' '}
        <span className={isSet ? 'badge badge-ok' : 'badge'} data-testid="password-state">
          {isSet ? 'set' : 'not set'}
        </span>
      </legend>
      <TextField
        label={isSet ? 'New password (replaces the stored one)' : 'Password'}
        type="password"
        autoComplete="new-password"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={remove}
        error={error}
        hint="The password of the user’s SIP account on the PBX. It is stored encrypted and never shown again."
      />
      {isSet && (
        <CheckField
          label="Remove the stored password (registration stops)"
          checked={remove}
          onChange={(e) => onRemoveChange(e.target.checked)}
        />
      )}
    </fieldset>
  );
}
