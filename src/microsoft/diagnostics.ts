/** One HTTP exchange with Microsoft, as sync's diagnostic mode logs it. Secrets and tokens are already removed. */
export interface DiagnosticExchange {
  api: 'token' | 'graph' | 'teamsAdmin';
  method: string;
  url: string;
  status: number | null;
  ms: number;
  attempt: number;
  requestBody: string | undefined;
  responseBody: string | undefined;
  error: string | undefined;
}

/** Receives every exchange; must not throw (errors are swallowed so diagnostics never break a sync). */
export type DiagnosticHook = (exchange: DiagnosticExchange) => void;

const secretKeys =
  /^(client_secret|client_assertion|access_token|refresh_token|id_token|password|assertion)$/i;
const maxBodyChars = 20_000;

/**
 * Remove secrets from a request or response body, whether JSON or form-encoded, and cap its size.
 * @example redactBody('client_id=a&client_secret=s') // 'client_id=a&client_secret=%5Bredacted%5D'
 */
export function redactBody(body: string | undefined): string | undefined {
  if (body === undefined || body === '') return body;
  const text = body.trimStart();
  let redacted: string;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      redacted = JSON.stringify(JSON.parse(text), (key, value: unknown) =>
        secretKeys.test(key) ? '[redacted]' : value,
      );
    } catch {
      redacted = body;
    }
  } else if (/^[\w.%-]+=/.test(text)) {
    const params = new URLSearchParams(text);
    for (const key of [...params.keys()]) if (secretKeys.test(key)) params.set(key, '[redacted]');
    redacted = params.toString();
  } else {
    redacted = body;
  }
  return redacted.length > maxBodyChars ? `${redacted.slice(0, maxBodyChars)}…[truncated]` : redacted;
}

/** Call the hook safely. */
export function emitDiagnostic(hook: DiagnosticHook | undefined, exchange: DiagnosticExchange): void {
  if (!hook) return;
  try {
    hook({
      ...exchange,
      requestBody: redactBody(exchange.requestBody),
      responseBody: redactBody(exchange.responseBody),
    });
  } catch {
    // A faulty logger must not break the sync.
  }
}
