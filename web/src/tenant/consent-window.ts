/** Where Microsoft sends the administrator back after consent (the API's callback). */
export const CONSENT_CALLBACK_PATH = '/api/v1/consent/callback';

export type ConsentReturn =
  { kind: 'returned'; search: string; body: string } | { kind: 'closed' } | { kind: 'blocked' };

/**
 * Opens the consent window at once, inside the click that asked for it (a window opened later, after the API
 * answered, would be blocked as a pop-up); `go` then sends it to Microsoft's consent page.
 */
export function openConsentWindow(): { window: Window | null; go: (url: string) => void } {
  const opened = window.open('about:blank', 'callbridge-consent', 'popup,width=560,height=720');
  return {
    window: opened,
    go: (url) => {
      if (opened) opened.location.href = url;
    },
  };
}

/**
 * Waits for the consent window to come back to this site's callback (its address is readable again once it is
 * on our origin), then reads what the callback answered and closes the window. Resolves `closed` if the
 * administrator closes the window first.
 */
export function waitForConsentReturn(popup: Window | null, signal: AbortSignal): Promise<ConsentReturn> {
  if (!popup) return Promise.resolve({ kind: 'blocked' });
  return new Promise((resolve) => {
    const timer = window.setInterval(() => {
      if (signal.aborted) return finish({ kind: 'closed' });
      if (popup.closed) return finish({ kind: 'closed' });
      const landed = readLanding(popup);
      if (landed) {
        popup.close();
        finish(landed);
      }
    }, 250);
    const finish = (result: ConsentReturn) => {
      window.clearInterval(timer);
      resolve(result);
    };
  });
}

function readLanding(popup: Window): ConsentReturn | undefined {
  try {
    const { location, document } = popup;
    if (location.origin !== window.location.origin || location.pathname !== CONSENT_CALLBACK_PATH) return;
    if (document.readyState !== 'complete') return;
    return { kind: 'returned', search: location.search, body: document.body?.innerText ?? '' };
  } catch {
    // Still at Microsoft: another origin's address cannot be read.
    return undefined;
  }
}

/** The connection the callback answered in the window, if it answered one (not an error). */
export function connectionFromBody<T extends { consentState: string }>(body: string): T | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && 'consentState' in parsed
      ? (parsed as T)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why the callback refused to record the answer (its error message), or a general reason. */
export function refusalFromBody(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const message =
      typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: fall through.
  }
  return 'Callbridge could not read Microsoft’s answer. Press Connect to try again.';
}
