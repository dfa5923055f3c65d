/** One problem with one field of a request, as the API reports it. */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * An error answer of the API (`{code, message, details}`), with the field issues gathered from both shapes the
 * API uses: `details.issues[]` (schema validation) and `details.field` (a typed error about one field).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly issues: FieldIssue[];

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.issues = readIssues(message, details);
  }

  /** The first message about a field, if any. */
  fieldMessage(field: string): string | undefined {
    return this.issues.find((i) => i.field === field)?.message;
  }

  /** A corrected value the API proposes for a field (e.g. a number in E.164). */
  suggestionFor(field: string): string | undefined {
    const { suggestion } = this.details;
    return this.details.field === field && typeof suggestion === 'string' ? suggestion : undefined;
  }
}

function readIssues(message: string, details: Record<string, unknown>): FieldIssue[] {
  const issues = Array.isArray(details.issues) ? details.issues : [];
  const listed = issues.filter(
    (i): i is FieldIssue =>
      typeof i === 'object' &&
      i !== null &&
      typeof (i as FieldIssue).field === 'string' &&
      typeof (i as FieldIssue).message === 'string',
  );
  if (typeof details.field === 'string') listed.push({ field: details.field, message });
  return listed;
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever the API answers 401: the session ended (expired or signed out elsewhere). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Calls the API with the session cookie. Changes carry the CSRF header the API requires of the portal.
 * Resolves to the parsed JSON body (undefined for 204); rejects with ApiError.
 *
 * @example const page = await request<Page<User>>('GET', `/api/v1/accounts/${id}/users`, { query: { limit: 50 } });
 */
export async function request<T>(
  method: Method,
  path: string,
  options: {
    body?: unknown;
    /** A body sent as it is (e.g. a CSV file's bytes) with its content type, instead of JSON. */
    raw?: { data: Blob | ArrayBuffer | string; contentType: string };
    query?: Record<string, string | number | undefined>;
    signal?: AbortSignal;
  } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-callbridge-csrf'] = '1';
  let payload: BodyInit | undefined;
  if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    payload = options.raw.data;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(options.body);
  }
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    credentials: 'same-origin',
    ...(payload !== undefined && { body: payload }),
    ...(options.signal && { signal: options.signal }),
  });
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body as T;
  if (response.status === 401 && path.startsWith('/api/v1/')) unauthenticatedListeners.forEach((l) => l());
  throw toApiError(response.status, body);
}

function toApiError(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const { code, message, details } = body as { code?: unknown; message?: unknown; details?: unknown };
    return new ApiError(
      status,
      typeof code === 'string' ? code : 'error',
      typeof message === 'string' ? message : `The server answered ${status}.`,
      typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {},
    );
  }
  return new ApiError(status, 'unreachable', `The server answered ${status}. Try again in a moment.`);
}

function withQuery(path: string, query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
