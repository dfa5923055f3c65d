import { useEffect, useRef } from 'react';

/**
 * After a refused save, moves focus to the first field marked invalid, so keyboard and screen-reader users land
 * on the problem. Returns the ref to put on the form.
 */
export function useFocusFirstInvalid(error: unknown) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!error) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  return form;
}
