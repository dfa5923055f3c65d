/**
 * The one rule for a SIP password, wherever it is given (API, portal, CSV import, CLI): the PBX's digest secret,
 * taken as typed. At most 128 characters (what PBXs accept; the API used to take 256 and the CSV 128), and no
 * control characters (no PBX's configuration can hold them; a pasted newline would be a silent mismatch).
 */

/** Longest SIP password accepted. */
export const SIP_PASSWORD_MAX_LENGTH = 128;

/** Why a password holding a control character is refused. */
export const CONTROL_CHARACTERS_PROBLEM = 'must not hold control characters (tab, newline and the like)';

/** Does the password hold a control character? */
export function hasControlCharacters(password: string): boolean {
  return /\p{Cc}/u.test(password);
}

/**
 * What is wrong with a SIP password, or undefined when it can be used.
 * @example sipPasswordProblem('s3cret!') // undefined
 */
export function sipPasswordProblem(password: string): string | undefined {
  if (password.length > SIP_PASSWORD_MAX_LENGTH)
    return `must be at most ${SIP_PASSWORD_MAX_LENGTH} characters`;
  if (hasControlCharacters(password)) return CONTROL_CHARACTERS_PROBLEM;
  return undefined;
}
