import { ROLE_PERMISSIONS, type Role } from '../domain/access.js';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/records.js';

/** What a token is limited to: one role on one account (null: all its owner's roles), and when it expires. */
export interface TokenReach {
  scope: { accountId: string; role: Role } | null;
  expiresAt: string | null;
}

/**
 * The reach of the actor when it acts through an API token: what it can see and hand out of other tokens. A
 * portal session or the system actor is not limited (undefined): the person signed in holds the whole standing.
 */
export function reachOf(actor: Actor): TokenReach | undefined {
  if (actor.type !== 'api_token' || !actor.token) return undefined;
  return { scope: actor.scope ?? null, expiresAt: actor.token.expiresAt };
}

/** Why `candidate` is beyond `reach` (broader or longer-lived) and which field says so; undefined within it. */
export function beyondReach(
  reach: TokenReach,
  candidate: TokenReach,
  candidateLineage: readonly string[],
): { field: 'expiresInDays' | 'scope'; message: string } | undefined {
  if (reach.expiresAt !== null && (candidate.expiresAt === null || candidate.expiresAt > reach.expiresAt))
    return {
      field: 'expiresInDays',
      message: `This token expires at ${reach.expiresAt.slice(0, 16).replace('T', ' ')} UTC: it can only manage tokens that expire by then.`,
    };
  if (reach.scope === null) return undefined;
  if (candidate.scope === null || !candidateLineage.includes(reach.scope.accountId))
    return {
      field: 'scope',
      message: 'A scoped API token can only manage tokens scoped to its own account (or one beneath it).',
    };
  const allowed = new Set(ROLE_PERMISSIONS[reach.scope.role]);
  if (!ROLE_PERMISSIONS[candidate.scope.role].every((p) => allowed.has(p)))
    return {
      field: 'scope',
      message: 'A scoped API token can only manage tokens whose role allows no more than its own.',
    };
  return undefined;
}

/** Throws forbidden when `candidate` is beyond the actor's reach. */
export function requireWithinReach(
  actor: Actor,
  candidate: TokenReach,
  candidateLineage: readonly string[],
): void {
  const reach = reachOf(actor);
  const why = reach && beyondReach(reach, candidate, candidateLineage);
  if (why) throw new AppError('forbidden', why.message, { field: why.field });
}
