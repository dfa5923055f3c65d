import type { Sku, Subscription, UserKind, VoiceService } from './records.js';

/** After a trial ends, users keep working with a warning for this long; then the service stops for them. */
export const TRIAL_GRACE_DAYS = 14;
const DAY = 86_400_000;

export const SKU_LABELS: Record<Sku, string> = {
  pbx_user: 'PBX user',
  trunk_user: 'trunk user',
  phone_app_user: 'Phone App user',
};

/** What one configured user consumes: one PBX (or trunk) user licence, plus a Phone App licence for Phone App users. */
export function skusOf(serviceKind: VoiceService['kind'], userKind: UserKind): Sku[] {
  const base: Sku = serviceKind === 'trunk' ? 'trunk_user' : 'pbx_user';
  return userKind === 'phone_app' ? [base, 'phone_app_user'] : [base];
}

export type LicenceState = 'ok' | 'trial' | 'grace' | 'short';

/** One SKU of an account: held, used (computed from the users, never stored), free, and the trial's dates. */
export interface LicenceLine {
  sku: Sku;
  held: number;
  used: number;
  free: number;
  /** The earliest end of a trial that still counts. */
  trialEndsAt: string | null;
  /** When a trial has ended: the day the service stops for the users it covered. */
  serviceStopsAt: string | null;
  state: LicenceState;
  /** Said to administrators when something needs their attention; null when all is well. */
  warning: string | null;
}

/**
 * Licences held per SKU at `now`: active subscriptions, and trials until 14 days after their end (the warning
 * period); cancelled subscriptions and older trials hold nothing.
 */
export function holdings(
  subscriptions: readonly Subscription[],
  now: Date,
): Map<Sku, { held: number; trialEndsAt: string | null; serviceStopsAt: string | null }> {
  const lines = new Map<Sku, { held: number; trialEndsAt: string | null; serviceStopsAt: string | null }>();
  const at = now.getTime();
  for (const s of subscriptions) {
    if (s.state !== 'active') continue;
    const ends = s.trialEndsAt ? Date.parse(s.trialEndsAt) : null;
    if (ends !== null && ends + TRIAL_GRACE_DAYS * DAY <= at) continue;
    const line = lines.get(s.sku) ?? { held: 0, trialEndsAt: null, serviceStopsAt: null };
    line.held += s.quantity;
    if (s.trialEndsAt && (!line.trialEndsAt || s.trialEndsAt < line.trialEndsAt))
      line.trialEndsAt = s.trialEndsAt;
    if (ends !== null && ends <= at) {
      const stops = new Date(ends + TRIAL_GRACE_DAYS * DAY).toISOString();
      if (!line.serviceStopsAt || stops < line.serviceStopsAt) line.serviceStopsAt = stops;
    }
    lines.set(s.sku, line);
  }
  return lines;
}

/** The licence summary of an account from its subscriptions and its users' consumption. */
export function licenceSummary(
  subscriptions: readonly Subscription[],
  used: ReadonlyMap<Sku, number>,
  now: Date,
): LicenceLine[] {
  const held = holdings(subscriptions, now);
  const skus = (['pbx_user', 'trunk_user', 'phone_app_user'] as const).filter(
    (sku) => held.has(sku) || (used.get(sku) ?? 0) > 0 || subscriptions.some((s) => s.sku === sku),
  );
  return skus.map((sku) => {
    const h = held.get(sku) ?? { held: 0, trialEndsAt: null, serviceStopsAt: null };
    const u = used.get(sku) ?? 0;
    const label = SKU_LABELS[sku];
    let state: LicenceState = h.trialEndsAt ? 'trial' : 'ok';
    let warning: string | null = null;
    if (h.serviceStopsAt) {
      state = 'grace';
      warning = `The ${label} trial ended on ${h.trialEndsAt?.slice(0, 10)}; the service stops for its users on ${h.serviceStopsAt.slice(0, 10)} unless your licensing provider adds licences.`;
    }
    if (u > h.held) {
      state = 'short';
      warning = `${u} users are configured but ${h.held} ${label} licences are held: ${u - h.held} users are disabled until your licensing provider adds licences.`;
    }
    return {
      sku,
      held: h.held,
      used: u,
      free: Math.max(0, h.held - u),
      trialEndsAt: h.trialEndsAt,
      serviceStopsAt: h.serviceStopsAt,
      state,
      warning,
    };
  });
}

/**
 * The refusal for a change that takes consumption beyond what is held: which SKU is short and by how many. Only
 * SKUs the change grew are judged, so an account already short (a trial ran out) can still edit other things.
 */
export function licenceShortfall(
  held: ReadonlyMap<Sku, { held: number }>,
  before: ReadonlyMap<Sku, number>,
  after: ReadonlyMap<Sku, number>,
): string | null {
  const problems: string[] = [];
  for (const [sku, count] of after) {
    const have = held.get(sku)?.held ?? 0;
    if (count > have && count > (before.get(sku) ?? 0)) {
      const label = SKU_LABELS[sku];
      problems.push(
        have === 0
          ? `the account holds no ${label} licences (${count} needed)`
          : `${have} ${label} licences are held and ${count} would be used: ${count - have} short`,
      );
    }
  }
  if (problems.length === 0) return null;
  return `Not enough licences: ${problems.join('; ')}. Ask your licensing provider for more, or turn registration off for users who no longer need it.`;
}

/** A configured user competing for licences: the ones configured first keep theirs when licences run short. */
export interface LicenceClaim {
  id: string;
  accountId: string;
  skus: Sku[];
  createdAt: string;
}

/**
 * The users left without a licence, with why: per account and SKU, users are licensed oldest first up to what is
 * held, so the users configured last lose service first when a subscription ends or shrinks.
 */
export function unlicensed(
  claims: readonly LicenceClaim[],
  heldByAccount: ReadonlyMap<string, ReadonlyMap<Sku, { held: number }>>,
): Map<string, string> {
  const out = new Map<string, string>();
  const ordered = [...claims].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  const used = new Map<string, number>();
  for (const claim of ordered) {
    const held = heldByAccount.get(claim.accountId);
    const short = claim.skus.filter(
      (sku) => (used.get(`${claim.accountId}:${sku}`) ?? 0) >= (held?.get(sku)?.held ?? 0),
    );
    if (short.length > 0) {
      out.set(
        claim.id,
        `No ${short.map((s) => SKU_LABELS[s]).join(' or ')} licence is free for this user: the account holds ${short
          .map((s) => `${held?.get(s)?.held ?? 0} ${SKU_LABELS[s]}`)
          .join(', ')}. Ask your licensing provider for more.`,
      );
      continue;
    }
    for (const sku of claim.skus)
      used.set(`${claim.accountId}:${sku}`, (used.get(`${claim.accountId}:${sku}`) ?? 0) + 1);
  }
  return out;
}
