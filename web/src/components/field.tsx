import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

interface FieldFrame {
  label: string;
  /** Takes the whole row of a two-column form. */
  wide?: boolean;
  hint?: ReactNode;
  error?: string | undefined;
  /** Extra content under the error (e.g. a suggested fix). */
  after?: ReactNode;
}

/** A labelled input with its hint and its error right beneath it (wired with aria-describedby). */
export function TextField({
  label,
  hint,
  error,
  after,
  wide,
  ref,
  ...input
}: FieldFrame & InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }) {
  const id = useId();
  return (
    <div className={fieldClass(error, wide)}>
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
      />
      <FieldNotes id={id} hint={hint} error={error} after={after} />
    </div>
  );
}

/** A labelled select with hint and error. */
export function SelectField({
  label,
  hint,
  error,
  after,
  wide,
  children,
  ...select
}: FieldFrame & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className={fieldClass(error, wide)}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...select}
      >
        {children}
      </select>
      <FieldNotes id={id} hint={hint} error={error} after={after} />
    </div>
  );
}

/** A labelled multi-line input with hint and error. */
export function TextAreaField({
  label,
  hint,
  error,
  after,
  wide,
  ...textarea
}: FieldFrame & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div className={fieldClass(error, wide)}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...textarea}
      />
      <FieldNotes id={id} hint={hint} error={error} after={after} />
    </div>
  );
}

/** A checkbox with its label to the right. */
export function CheckField({
  label,
  hint,
  ...input
}: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

function FieldNotes({ id, hint, error, after }: Omit<FieldFrame, 'label' | 'wide'> & { id: string }) {
  return (
    <>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      {after}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </>
  );
}

function fieldClass(error: string | undefined, wide: boolean | undefined): string {
  return ['field', error ? 'field-invalid' : '', wide ? 'field-wide' : ''].filter(Boolean).join(' ');
}

function describedBy(id: string, hint: ReactNode, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}
