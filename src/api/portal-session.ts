import type { FastifyReply } from 'fastify';
import type { Services } from '../app/context.js';
import type { Administrator } from '../domain/records.js';
import { ENTRA_SESSION_TOKEN, PORTAL_SESSION_TOKEN } from '../services/administrator-passwords.service.js';
import { SESSION_COOKIE } from './auth.js';

/** How long a portal session lasts. */
export const SESSION_HOURS = 12;

/**
 * Opens a portal session for an administrator however they signed in (password, invitation, Entra ID): a
 * short-lived API token, revoked at sign-out, in an httpOnly SameSite=Strict cookie.
 */
export async function openPortalSession(
  services: Services,
  reply: FastifyReply,
  administrator: Administrator,
  secure: boolean,
  via: 'password' | 'entra' = 'password',
): Promise<void> {
  const actor = {
    type: 'administrator',
    id: administrator.id,
    label: administrator.email,
    source: 'portal',
  } as const;
  const { token } = await services.administrators.createToken(
    actor,
    administrator.email,
    // A password session of an administrator whose password someone else chose can only change it (auth.ts).
    via === 'entra' ? ENTRA_SESSION_TOKEN : PORTAL_SESSION_TOKEN,
    new Date(Date.now() + SESSION_HOURS * 3_600_000),
  );
  reply.setCookie(SESSION_COOKIE, token, {
    ...sessionCookieAttributes(secure),
    maxAge: SESSION_HOURS * 3600,
  });
}

/**
 * The attributes the session cookie is set with, and cleared with at sign-out: a browser matches a cookie by
 * name, path and domain, and the clearing answer should not advertise weaker ones (Lax, no Secure).
 */
export function sessionCookieAttributes(secure: boolean) {
  return { httpOnly: true, sameSite: 'strict', secure, path: '/' } as const;
}
