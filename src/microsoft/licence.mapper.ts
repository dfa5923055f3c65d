import type { LicenceFlags, SubscribedSku, TenantUser } from './microsoft.types.js';

/** Service plan names that mean "Teams itself" (Microsoft's licensing service plan reference). */
const teamsPlan = /^TEAMS(1|_FREE|_AR_DOD|_AR_GCCHIGH|_GOV|_GCCHIGH|_DOD)?$/;
/** Teams Phone (formerly Phone System). */
const teamsPhonePlan = /^MCOEV(_VIRTUALUSER)?(_GOV|_GCCHIGH|_DOD)?$/;
/** Microsoft Calling Plans: domestic, international, pay-as-you-go and their variants. */
const callingPlanPlan = /^MCOPSTN/;

/** An index from skuId to SKU, built once per sync. */
export type SkuIndex = ReadonlyMap<string, SubscribedSku>;

export function indexSkus(skus: readonly SubscribedSku[]): SkuIndex {
  return new Map(skus.map((sku) => [sku.skuId.toLowerCase(), sku]));
}

/**
 * What a user's licences allow: a service plan counts when its SKU is assigned and the plan is not among the
 * assignment's disabledPlans.
 * @example licenceFlagsOf(user, indexSkus(skus)).hasTeamsPhone
 */
export function licenceFlagsOf(user: Pick<TenantUser, 'assignedLicenses'>, skus: SkuIndex): LicenceFlags {
  let hasTeams = false;
  let hasTeamsPhone = false;
  let hasCallingPlan = false;
  const skuPartNumbers: string[] = [];
  for (const licence of user.assignedLicenses) {
    const sku = skus.get(licence.skuId.toLowerCase());
    if (!sku) continue;
    skuPartNumbers.push(sku.skuPartNumber);
    const disabled = new Set(licence.disabledPlans.map((p) => p.toLowerCase()));
    for (const plan of sku.servicePlans) {
      if (disabled.has(plan.servicePlanId.toLowerCase())) continue;
      const name = plan.servicePlanName.toUpperCase();
      if (teamsPlan.test(name)) hasTeams = true;
      if (teamsPhonePlan.test(name)) hasTeamsPhone = true;
      if (callingPlanPlan.test(name)) hasCallingPlan = true;
    }
  }
  return {
    hasTeams,
    hasTeamsPhone,
    hasCallingPlan,
    phoneAppCandidate: hasTeams && !hasTeamsPhone && !hasCallingPlan,
    skuPartNumbers,
  };
}
