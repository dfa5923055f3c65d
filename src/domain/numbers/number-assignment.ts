/**
 * Who may hold a number: one number per user (a user who wants several is sent to Teams resource accounts), one
 * holder per number within a tenant (a user or a resource account), trunk numbers from the service's ranges, and
 * a provider-wide view of numbers used by more than one customer. Holders are given by the caller (a Map, a list,
 * or a lookup over the store), so these rules stay pure.
 *
 * A number's identity is its line URI: extension users share the PBX's main number with different extensions
 * (`tel:+441235123400;ext=201`, `;ext=202`), and the bare main number may be held by a resource account (reception).
 */
import { formatLineUri } from './e164.js';
import { allowed, refuseRule, type NumberRuleCheck } from './number-check.js';
import { oneNumberGuidance } from './number-messages.js';
import type { NumberServiceKind } from './number-type.js';
import { checkNumberInRanges } from './range-usage.js';
import type { NumberRange } from './number-range.js';

/** A number as stored: E.164 and the extension kept apart. */
export interface AssignedNumber {
  e164: string;
  extension?: string | null;
}

/** Someone in the tenant holding a number. */
export interface NumberHolder extends AssignedNumber {
  id: string;
  kind: 'user' | 'resource_account';
  displayName: string;
  email?: string | null;
}

/** Find the holder of a line URI: a function over the store, or a Map keyed by line URI. */
export type NumberHolderLookup =
  ((lineUri: string) => NumberHolder | undefined) | ReadonlyMap<string, NumberHolder>;

/**
 * The key a number is unique by within a tenant.
 * @example numberKey({ e164: '+441235123400', extension: '201' }) // 'tel:+441235123400;ext=201'
 */
export function numberKey(number: AssignedNumber): string {
  return formatLineUri(number.e164, number.extension);
}

/**
 * Holders keyed by line URI, for {@link checkNumberUnique} over a list read from the store.
 * @example const holders = indexHolders(await repo.listNumberHolders(tenantId))
 */
export function indexHolders(holders: Iterable<NumberHolder>): Map<string, NumberHolder> {
  const index = new Map<string, NumberHolder>();
  for (const holder of holders) index.set(numberKey(holder), holder);
  return index;
}

/**
 * How a holder is named to administrators.
 * @example describeHolder({ kind: 'resource_account', displayName: 'Reception', email: 'reception@contoso.com', ... })
 * // 'the resource account Reception (reception@contoso.com)'
 */
export function describeHolder(holder: Pick<NumberHolder, 'kind' | 'displayName' | 'email'>): string {
  const name = holder.email ? `${holder.displayName} (${holder.email})` : holder.displayName;
  return holder.kind === 'resource_account' ? `the resource account ${name}` : name;
}

/**
 * A number belongs to one user or resource account within a tenant; a clash names the holder.
 * @example checkNumberUnique({ e164: '+441235123465' }, holders, 'user-2') // refused: held by Jane Smith
 */
export function checkNumberUnique(
  number: AssignedNumber,
  holders: NumberHolderLookup,
  assigneeId: string,
): NumberRuleCheck {
  const key = numberKey(number);
  const holder = typeof holders === 'function' ? holders(key) : holders.get(key);
  if (holder === undefined || holder.id === assigneeId) return allowed;
  const shown = key.slice('tel:'.length);
  return refuseRule(
    'conflict',
    `${shown} is already assigned to ${describeHolder(holder)}. A number belongs to one user or resource account ` +
      `in a tenant: remove it from ${holder.displayName} first, or choose another number.`,
    { lineUri: key, holderId: holder.id, holderKind: holder.kind, holderName: holder.displayName },
  );
}

/** A user or resource account about to get a number, with the number it holds now. */
export interface NumberAssignee {
  id: string;
  displayName: string;
  current: AssignedNumber | null;
}

/**
 * One number per user. `mode: 'replace'` (setting the user's number) changes it; `mode: 'add'` (asking for another
 * number for someone who has one) is refused with the resource-account guidance.
 * @example checkOneNumberPerUser({ id: 'u1', displayName: 'Jane', current: { e164: '+441235123465' } }, { e164: '+441235123466' }, 'add')
 */
export function checkOneNumberPerUser(
  assignee: NumberAssignee,
  requested: AssignedNumber,
  mode: 'replace' | 'add',
): NumberRuleCheck {
  if (mode === 'replace' || assignee.current === null) return allowed;
  if (numberKey(assignee.current) === numberKey(requested)) return allowed;
  return refuseRule('conflict', oneNumberGuidance(assignee.displayName), {
    current: numberKey(assignee.current),
    requested: numberKey(requested),
  });
}

/** What a service needs to judge a number: its kind, and for trunks its ranges. */
export interface NumberServiceContext {
  kind: NumberServiceKind;
  ranges?: readonly NumberRange[];
}

/**
 * A number must suit its service: a trunk number has no extension (nothing behind a trunk routes it) and comes from
 * one of the service's ranges.
 * @example checkNumberForService({ e164: '+441235123465' }, { kind: 'trunk', ranges }) // allowed if in a range
 */
export function checkNumberForService(
  number: AssignedNumber,
  service: NumberServiceContext,
): NumberRuleCheck {
  if (service.kind === 'pbx') return allowed;
  if (number.extension) {
    return refuseRule(
      'validation_failed',
      `${number.e164};ext=${number.extension} has an extension, but a SIP trunk service has no PBX to route ` +
        'extensions. Give the user a number of their own from one of the trunk ranges.',
      { field: 'extension' },
    );
  }
  return service.ranges === undefined ? allowed : checkNumberInRanges(number.e164, service.ranges);
}

/** One use of a number by a customer, for the provider-wide report. */
export interface CustomerNumberUse extends AssignedNumber {
  accountId: string;
  accountName: string;
}

/** A number that more than one customer uses. */
export interface SharedNumber {
  lineUri: string;
  accounts: { accountId: string; accountName: string }[];
}

/**
 * Numbers used by more than one customer (provider-wide report), sorted by number.
 * @example findNumbersSharedByCustomers(uses) // [{ lineUri: 'tel:+441235123465', accounts: [a, b] }]
 */
export function findNumbersSharedByCustomers(uses: Iterable<CustomerNumberUse>): SharedNumber[] {
  const byNumber = new Map<string, Map<string, string>>();
  for (const use of uses) {
    const key = numberKey(use);
    const accounts = byNumber.get(key) ?? new Map<string, string>();
    accounts.set(use.accountId, use.accountName);
    byNumber.set(key, accounts);
  }
  return [...byNumber]
    .filter(([, accounts]) => accounts.size > 1)
    .map(([lineUri, accounts]) => ({
      lineUri,
      accounts: [...accounts].map(([accountId, accountName]) => ({ accountId, accountName })),
    }))
    .sort((a, b) => a.lineUri.localeCompare(b.lineUri));
}
