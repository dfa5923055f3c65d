import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { DEMO_ADMIN_UPN } from '../../src/emulator/demo-tenant.seed.js';

/** Where each step of a consent round trip went, for tests that tamper with one of them. */
export interface ConsentTrip {
  /** Microsoft's answer to the admin-consent page: the callback query it sent the browser to. */
  consentReturn: string;
  /** Callbridge's answer to that callback. */
  afterConsent: LightMyRequestResponse;
  /** The sign-in page Callbridge sent the browser to (undefined when it refused instead). */
  signInUrl: URL | undefined;
  /** The callback query after the sign-in (with the authorization code). */
  signInReturn: string | undefined;
  /** Callbridge's final answer. */
  final: LightMyRequestResponse;
}

/**
 * Microsoft's admin-consent page as the administrator `upn` answers it: the query of the callback it sends the
 * browser back to. Where the consent names no tenant, the administrator picks their own (the emulator's chooser).
 */
export async function adminConsentReturn(consentUrl: string, upn: string = DEMO_ADMIN_UPN): Promise<string> {
  let consent = await fetch(consentUrl, { redirect: 'manual' });
  if (consent.status === 200) {
    const picked = new URL(consentUrl);
    picked.pathname = picked.pathname.replace(/^\/[^/]+\//, `/${upn.split('@')[1]!}/`);
    consent = await fetch(picked, { redirect: 'manual' });
  }
  const location = consent.headers.get('location');
  if (!location) throw new Error(`The consent page answered ${consent.status} without a redirect.`);
  return new URL(location).search;
}

/**
 * The honest administrator-consent round trip against the emulator, as a browser makes it: Microsoft's
 * admin-consent page, back to Callbridge's callback, on to Microsoft's sign-in (as `upn`, the tenant
 * administrator by default), and back to the callback with the code. Answers every step, the last being the
 * connection Callbridge recorded (or its refusal).
 */
export async function consentRoundTrip(
  app: FastifyInstance,
  consentUrl: string,
  options: {
    upn?: string;
    headers?: Record<string, string>;
    /** Sign in at another tenant than the one Callbridge asked for (a tampered sign-in). */
    signInTenant?: string;
  } = {},
): Promise<ConsentTrip> {
  const consentReturn = await adminConsentReturn(consentUrl, options.upn ?? DEMO_ADMIN_UPN);
  const afterConsent = await app.inject({
    url: `/api/v1/consent/callback${consentReturn}`,
    ...(options.headers && { headers: options.headers }),
  });
  if (afterConsent.statusCode !== 302)
    return {
      consentReturn,
      afterConsent,
      signInUrl: undefined,
      signInReturn: undefined,
      final: afterConsent,
    };
  const signInUrl = new URL(afterConsent.headers.location as string);
  const picked = new URL(signInUrl);
  picked.searchParams.set('login_hint', options.upn ?? DEMO_ADMIN_UPN);
  if (options.signInTenant)
    picked.pathname = picked.pathname.replace(/^\/[^/]+\//, `/${encodeURIComponent(options.signInTenant)}/`);
  const signIn = await fetch(picked, { redirect: 'manual' });
  const back = signIn.headers.get('location');
  if (!back) throw new Error(`The sign-in page answered ${signIn.status}: ${await signIn.text()}`);
  const signInReturn = new URL(back).search;
  const final = await app.inject({
    url: `/api/v1/consent/callback${signInReturn}`,
    ...(options.headers && { headers: options.headers }),
  });
  return { consentReturn, afterConsent, signInUrl, signInReturn, final };
}
