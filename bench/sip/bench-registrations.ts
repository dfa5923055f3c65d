import type { RegistrationConfig, SipServiceConfig } from '../../src/sip/registration/registration.types.js';

/**
 * The REGISTER benches' users: `count` digest users of `service`, numbered from 100000, with the credentials the
 * benches' registrars (Kamailio's, sipp's CSV, the mini registrar) expect: user n, auth user `a<n>`, password `pw<n>`.
 *
 * @example agent.upsert(...registrationConfigs(service, 10_000, 'ours'));
 */
export function registrationConfigs(
  service: SipServiceConfig,
  count: number,
  prefix: string,
): RegistrationConfig[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(100_000 + i);
    return { id: `${prefix}-${n}`, service, sipUsername: n, authUsername: `a${n}`, password: `pw${n}` };
  });
}

/** Polls `check` every 5 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
