import { useRef } from 'react';
import type { ApiError } from '../api/client.js';
import { TextField } from '../components/field.js';

/**
 * The user's number. An invalid number shows the API's message at the field and, when the API can tell what was
 * meant (e.g. 01235 123465 on a GB service), the corrected E.164 number with a button that puts it in the field.
 */
export function NumberField({
  value,
  onChange,
  error,
  stale,
}: {
  value: string;
  onChange: (value: string) => void;
  error: ApiError | undefined;
  /** True once the field no longer holds what was sent, so the API's verdict no longer applies. */
  stale: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const message = stale ? undefined : error?.fieldMessage('phoneNumber');
  const suggestion = stale ? undefined : error?.suggestionFor('phoneNumber');
  const useSuggestion = (fix: string) => {
    onChange(fix);
    input.current?.focus();
  };
  return (
    <TextField
      ref={input}
      label="Number"
      wide
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={message}
      inputMode="tel"
      autoComplete="off"
      hint="E.164 with the country code, e.g. +441235123465; an extension as +441235123400;ext=201."
      after={
        suggestion && (
          <p className="suggestion">
            Suggested: <span className="mono">{suggestion}</span>{' '}
            <button type="button" className="button-small" onClick={() => useSuggestion(suggestion)}>
              Use this
            </button>
          </p>
        )
      }
    />
  );
}
