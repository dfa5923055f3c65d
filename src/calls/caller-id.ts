import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { SipRequest } from '../sip/message/sip-message.js';
import { parseNameAddr } from '../sip/message/sip-uri.js';

/** The caller as Callbridge presents them to Teams. */
export interface PresentedCaller {
  /** +E.164 when the number could be read as one, else as the PBX gave it (a short extension), or `anonymous`. */
  number: string;
  /** The caller asked to hide their identity: From anonymous toward Teams, the number only in P-Asserted-Identity. */
  privacy: boolean;
}

/**
 * Who is calling, from a PBX's INVITE, as Teams should see it (CALLS.md "Our INVITE toward Teams": `+E.164` in
 * From/PAI). The number is P-Asserted-Identity's user (RFC 3325: the identity the PBX vouches for), else From's.
 * A national number (`030 12345678`) or an international one written with `00` is read in the service's country
 * with libphonenumber-js (the numbering plans we already use for user numbers) and given as `+E.164`; a short
 * extension (`2001`) is no number in any plan and stays as it is. Privacy (RFC 3323): `Privacy: id`, `user` or
 * `header`, or an anonymous From, hides the caller; the asserted number is still passed to Microsoft in
 * P-Asserted-Identity with `Privacy: id`, as Microsoft's Direct Routing documents for anonymous calls.
 *
 * @example presentedCaller(invite, 'DE') // { number: '+493012345678', privacy: false }
 */
export function presentedCaller(request: SipRequest, country: string | null | undefined): PresentedCaller {
  const asserted = userOf(request.headers.first('P-Asserted-Identity'));
  const from = userOf(request.headers.get('From'));
  const privacyHeader = (request.headers.get('Privacy') ?? '').toLowerCase();
  const privacy =
    /\b(id|user|header)\b/.test(privacyHeader) ||
    from?.user.toLowerCase() === 'anonymous' ||
    from?.host.toLowerCase() === 'anonymous.invalid';
  const raw = asserted?.user ?? (from && from.user.toLowerCase() !== 'anonymous' ? from.user : undefined);
  return { number: raw === undefined ? 'anonymous' : toE164(raw, country), privacy };
}

/**
 * A number as +E.164 when the numbering plan reads it (national in `country`, or international), else unchanged.
 *
 * @example toE164('03012345678', 'DE') // '+493012345678'; toE164('2001', 'DE') // '2001'
 */
export function toE164(raw: string, country: string | null | undefined): string {
  const text = safeDecode(raw).replace(/[\s().-]/g, '');
  if (!/^(\+|00)?\d+$/.test(text)) return raw;
  const international = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(
    international,
    country ? { defaultCountry: country as CountryCode } : undefined,
  );
  return parsed?.isValid() ? parsed.number : raw;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function userOf(value: string | undefined): { user: string; host: string } | undefined {
  if (value === undefined) return undefined;
  try {
    const uri = parseNameAddr(value).uri;
    return uri.user ? { user: uri.user, host: uri.host } : undefined;
  } catch {
    return undefined;
  }
}
