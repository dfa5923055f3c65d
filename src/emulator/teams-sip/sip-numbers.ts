import { parseNameAddr, parseSipUri } from '../../sip/message/sip-uri.js';

/** The user part of a name-addr header (`<sip:+4930999@host>;tag=1` -> '+4930999'). */
export function uriUserOf(value: string | undefined): string | undefined {
  try {
    return value === undefined ? undefined : parseNameAddr(value).uri.user;
  } catch {
    return undefined;
  }
}

/** `sip:+4930123@host;user=phone` -> '+4930123'; undefined unless the user part is +E.164. */
export function calledNumber(uri: string): string | undefined {
  try {
    const user = parseSipUri(uri).user;
    return user !== undefined && /^\+[1-9]\d{1,14}$/.test(user) ? user : undefined;
  } catch {
    return undefined;
  }
}
