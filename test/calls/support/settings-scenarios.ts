/**
 * Variants of the extension's sipp scenarios (`sipp-scenarios.ts`) for the call-settings tests: extra headers on
 * the INVITE (a PBX's Diversion, a caller's identity and privacy), a caller other than the extension, and a late
 * offer (INVITE without SDP, the answer in the ACK).
 */
import { uacScenario, type UacPlan } from './sipp-scenarios.js';

/** The extension's call with extra INVITE headers (`Name: value` lines), e.g. a Diversion. */
export function uacWithHeaders(plan: UacPlan, headers: string[]): string {
  const xml = uacScenario(plan);
  const at = xml.indexOf('Content-Type: application/sdp');
  return `${xml.slice(0, at)}${headers.join('\n')}\n${xml.slice(at)}`;
}

/** The extension's call presented with another From (its user part and display name), plus extra headers. */
export function uacFrom(plan: UacPlan, from: string, headers: string[] = []): string {
  return uacWithHeaders(plan, headers).replace(
    'From: <sip:[ext]@pbx.test>;tag=',
    `From: ${from.includes('<') ? from : `<sip:${from}@pbx.test>`};tag=`,
  );
}
