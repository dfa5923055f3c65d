import type { SeedSku } from './seed.schema.js';

/**
 * Service plan ids from Microsoft's "Product names and service plan identifiers for licensing" list. The
 * client decides on plan names (MCOEV, MCOPSTN*, TEAMS1), as Microsoft recommends; ids are kept realistic.
 */
export const servicePlans = {
  TEAMS1: { servicePlanId: '57ff2da0-773e-42df-b2af-ffb7a2317929', servicePlanName: 'TEAMS1' },
  MCOEV: { servicePlanId: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7', servicePlanName: 'MCOEV' },
  MCOEV_VIRTUALUSER: {
    servicePlanId: 'f47330e9-c134-43b3-9993-e7f004506889',
    servicePlanName: 'MCOEV_VIRTUALUSER',
  },
  MCOPSTN1: { servicePlanId: '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8', servicePlanName: 'MCOPSTN1' },
  MCOMEETADV: { servicePlanId: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40', servicePlanName: 'MCOMEETADV' },
  EXCHANGE_S_ENTERPRISE: {
    servicePlanId: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
    servicePlanName: 'EXCHANGE_S_ENTERPRISE',
  },
} as const;

/** The SKUs the demo and generated tenants subscribe to. */
export function standardSkus(units = 100): SeedSku[] {
  const p = servicePlans;
  return [
    {
      skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
      skuPartNumber: 'ENTERPRISEPREMIUM',
      prepaidUnits: units,
      servicePlans: [p.TEAMS1, p.MCOEV, p.MCOMEETADV, p.EXCHANGE_S_ENTERPRISE],
    },
    {
      skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965',
      skuPartNumber: 'SPE_E3',
      prepaidUnits: units,
      servicePlans: [p.TEAMS1, p.EXCHANGE_S_ENTERPRISE],
    },
    {
      skuId: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd',
      skuPartNumber: 'MCOEV',
      prepaidUnits: units,
      servicePlans: [p.MCOEV],
    },
    {
      skuId: '0dab259f-bf13-4952-b7f8-7db8f131b28d',
      skuPartNumber: 'MCOPSTN1',
      prepaidUnits: units,
      servicePlans: [p.MCOPSTN1],
    },
    {
      skuId: '440eaaa8-b3e0-484b-a8be-62870b9ba70a',
      skuPartNumber: 'PHONESYSTEM_VIRTUALUSER',
      prepaidUnits: units,
      servicePlans: [p.MCOEV_VIRTUALUSER],
    },
  ];
}
