/**
 * The provider-wide report of numbers used by more than one customer: the store finds the holders (grouping in the
 * database); this groups them per number for the report, and names the customers involved.
 */
import { formatLineUri } from './e164.js';

/** A user holding a number also held in another customer's account. */
export interface SharedNumberUse {
  e164: string;
  extension: string | null;
  accountId: string;
  accountName: string;
  userId: string;
  displayName: string;
  email: string;
}

/** One number and everyone holding it, across customers. */
export interface SharedNumberEntry {
  /** The E.164 number held in several accounts. */
  number: string;
  /** How many accounts hold it. */
  accountCount: number;
  holders: {
    accountId: string;
    accountName: string;
    userId: string;
    displayName: string;
    email: string;
    /** The holder's line: the number, with their extension when they have one. */
    lineUri: string;
  }[];
}

/**
 * Group holders by E.164 number, keeping only numbers held in more than one account; sorted by number, then account
 * name and email.
 * @example groupSharedNumbers([{ e164: '+441235123465', accountName: 'Contoso', ... }, { e164: '+441235123465', accountName: 'Fabrikam', ... }])
 * // [{ number: '+441235123465', accountCount: 2, holders: [...] }]
 */
export function groupSharedNumbers(uses: Iterable<SharedNumberUse>): SharedNumberEntry[] {
  const byNumber = new Map<string, SharedNumberUse[]>();
  for (const use of uses) {
    const holders = byNumber.get(use.e164);
    if (holders) holders.push(use);
    else byNumber.set(use.e164, [use]);
  }
  const entries: SharedNumberEntry[] = [];
  for (const [number, holders] of byNumber) {
    const accountCount = new Set(holders.map((holder) => holder.accountId)).size;
    if (accountCount < 2) continue;
    const sorted = [...holders].sort(
      (a, b) => a.accountName.localeCompare(b.accountName) || a.email.localeCompare(b.email),
    );
    entries.push({
      number,
      accountCount,
      holders: sorted.map((holder) => ({
        accountId: holder.accountId,
        accountName: holder.accountName,
        userId: holder.userId,
        displayName: holder.displayName,
        email: holder.email,
        lineUri: formatLineUri(holder.e164, holder.extension),
      })),
    });
  }
  return entries.sort((a, b) => a.number.length - b.number.length || a.number.localeCompare(b.number));
}
