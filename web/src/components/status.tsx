import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';

/** A polite loading line for screen readers and eyes. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label}…
    </p>
  );
}

/** What went wrong, in the API's words; field problems are shown at their fields, this is the rest. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? error.message
      : error instanceof Error
        ? `${error.message}. Check the connection and try again.`
        : 'Something went wrong.';
  return (
    <div className="notice notice-error" role="alert">
      {title && <strong>{title} </strong>}
      {message}
    </div>
  );
}

/** Says that the problems are shown at their fields (the messages themselves sit beside the fields). */
export function FieldsNotice({ count }: { count: number }) {
  return (
    <div className="notice notice-error" role="alert">
      {count === 1
        ? 'One field needs attention: see the message below it.'
        : 'Some fields need attention: see the messages below them.'}
    </div>
  );
}

/** A success line that is announced when it appears. */
export function SavedNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-ok" role="status">
      {children}
    </p>
  );
}

/** The page's heading: sets the document title and takes focus on arrival so screen readers hear the page. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Callbridge`;
  }, [title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
