/**
 * Numbers on a trunk's wire (issue 19): carriers write them as `+441235123465`, `441235123465` or national
 * `01235123465`, sometimes behind a routing prefix (`9`). Inbound numbers are read back to E.164 by the trunk's
 * country and format; outbound numbers are written the trunk's way. libphonenumber-js (already the project's
 * numbering-plan library) knows each country's trunk prefix and calling code, so none of that is hand-written.
 */
import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { e164Pattern } from '../../domain/numbers/e164.js';
import type { CalledNumberSource, TrunkNumberFormat } from '../../domain/trunk.js';
import { splitHeaderList } from '../../sip/message/sip-headers.js';
import type { SipRequest } from '../../sip/message/sip-message.js';

/** How one trunk writes numbers. `country` reads national numbers (ISO 3166, the service's country). */
export interface WireFormat {
  format: TrunkNumberFormat;
  prefix: string;
  country: string | null;
}

/**
 * A number received from the trunk, as E.164; undefined when it cannot be one (then the call is refused 404).
 *
 * @example fromWire('901235123465', { format: 'national', prefix: '9', country: 'GB' }) // '+441235123465'
 */
export function fromWire(raw: string, wire: WireFormat): string | undefined {
  let text = decodeURIComponent(raw).replace(/[\s().-]/g, '');
  if (wire.prefix && text.startsWith(wire.prefix) && text.length > wire.prefix.length)
    text = text.slice(wire.prefix.length);
  if (text.startsWith('+')) return e164Pattern.test(text) ? text : undefined;
  if (!/^\d+$/.test(text)) return undefined;
  if (text.startsWith('00')) return asE164(`+${text.slice(2)}`);
  if (wire.format === 'e164-no-plus' || wire.format === 'e164') {
    const international = asE164(`+${text}`);
    if (international) return international;
  }
  const country = supported(wire.country);
  if (!country) return undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed ? asE164(parsed.number) : undefined;
}

/**
 * An E.164 number written for the trunk: with or without `+`, or national for numbers of the trunk's country
 * (numbers of other countries get the international `00` form), the prefix in front.
 *
 * @example toWire('+441235123465', { format: 'national', prefix: '', country: 'GB' }) // '01235123465'
 */
export function toWire(number: string, wire: WireFormat): string {
  if (!e164Pattern.test(number)) return `${wire.prefix}${number}`; // an extension or a short code: as dialled
  if (wire.format === 'e164') return `${wire.prefix}${number}`;
  const digits = number.slice(1);
  if (wire.format === 'e164-no-plus') return `${wire.prefix}${digits}`;
  const country = supported(wire.country);
  const parsed = parsePhoneNumberFromString(number);
  if (!country || !parsed || parsed.countryCallingCode !== getCountryCallingCode(country))
    return `${wire.prefix}00${digits}`;
  return `${wire.prefix}${parsed.formatNational().replace(/\D/g, '')}`;
}

/**
 * The called number as the trunk puts it: the Request-URI's user (or To's, when the Request-URI names our
 * registration Contact instead), the To, the first Diversion, or the first History-Info entry (the number first
 * dialled). Falls back to the Request-URI, then To, when the chosen header is absent.
 */
export function calledNumberOf(request: SipRequest, source: CalledNumberSource): string | undefined {
  const uri = userOf(request.uri);
  const to = userOf(request.headers.get('To'));
  const candidates: (string | undefined)[] = [];
  if (source === 'diversion') candidates.push(firstUser(request.headers.getAll('Diversion')));
  if (source === 'history-info') candidates.push(firstUser(request.headers.getAll('History-Info')));
  if (source === 'to') candidates.push(to);
  candidates.push(uri, to);
  return candidates.find((c) => c !== undefined && c !== '');
}

/** The user part of a SIP or tel URI, inside a name-addr or bare. */
export function userOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /(?:sips?:([^@;>?\s]+)@)|(?:tel:([^;>?\s]+))/i.exec(value);
  return match?.[1] ?? match?.[2];
}

function firstUser(values: string[]): string | undefined {
  const first = values.flatMap(splitHeaderList)[0];
  return first === undefined ? undefined : userOf(first);
}

function asE164(candidate: string): string | undefined {
  return e164Pattern.test(candidate) ? candidate : undefined;
}

function supported(country: string | null): Parameters<typeof getCountryCallingCode>[0] | undefined {
  return country && isSupportedCountry(country) ? country : undefined;
}
