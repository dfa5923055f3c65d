import { ssoToken } from './teams-host.js';

/** An answer of Callbridge's API that is not a success, with its stable code and message. */
export class TabApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Profile {
  displayName: string;
  email: string;
  country: string | null;
  phoneNumber: string | null;
  organisation: string;
}

export interface Contact {
  id: string;
  displayName: string;
  email: string;
  phoneNumber: string | null;
  extension: string | null;
}

/** One of the user's Outlook contacts (`GET contacts`): each number as written and in E.164 when it is one. */
export interface OutlookContact {
  id: string;
  displayName: string;
  email: string | null;
  phones: { type: 'business' | 'mobile' | 'home'; display: string; number: string | null }[];
}

/** A click-to-dial call as the server reports it (`GET calls/{callId}`). */
export interface DialProgress {
  callId: string;
  number: string;
  phase: 'calling-teams' | 'connecting' | 'ringing' | 'answered' | 'ended';
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  result?: string;
  failure?: { by: 'pbx' | 'teams' | 'callbridge'; code: string; message: string; status?: number };
}

/** One of the user's recent calls (`GET calls`). */
export interface RecentCall {
  callId: string;
  number: string;
  direction: 'outgoing' | 'incoming';
  result: string;
  startedAt: string;
  durationSeconds: number;
}

/** Calls the Phone App tab API with the Teams SSO token; errors come back as {@link TabApiError}. */
export async function tabApi<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
  const token = await ssoToken();
  const response = await fetch(`/api/v1/phone-app/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body && { 'content-type': 'application/json' }),
    },
    ...(body && { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok)
    throw new TabApiError(
      response.status,
      typeof json.code === 'string' ? json.code : 'error',
      typeof json.message === 'string' ? json.message : `The server answered ${response.status}.`,
      (json.details as Record<string, unknown> | undefined) ?? {},
    );
  return json as T;
}
