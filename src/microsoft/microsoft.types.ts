/**
 * What Callbridge reads from and writes to a Microsoft 365 tenant, in the client's own words. Shapes follow the
 * Graph and Teams admin payloads (MICROSOFT.md) but are normalised: missing fields become null or [].
 */

/** A licence assigned to a user: the SKU and the service plans switched off inside it. */
export interface AssignedLicence {
  skuId: string;
  disabledPlans: string[];
}

/** An Entra ID user as Callbridge needs it (the `$select` of {@link defaultUserSelect}). */
export interface TenantUser {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  mail: string | null;
  accountEnabled: boolean | null;
  usageLocation: string | null;
  assignedLicenses: AssignedLicence[];
}

/** Properties asked for with `$select` on users, delta and group members. */
export const defaultUserSelect = [
  'id',
  'userPrincipalName',
  'displayName',
  'mail',
  'accountEnabled',
  'usageLocation',
  'assignedLicenses',
] as const;

/** A user that left the tenant (or the delta's scope) since the last delta read. */
export interface RemovedUser {
  id: string;
  reason: 'changed' | 'deleted';
}

/**
 * A user as a delta page carries it: the id and the properties present. Microsoft sends a new user whole but an
 * updated one with "at least the properties that have been updated", so an absent property is unknown, not
 * empty: merge what is present onto what is stored.
 */
export type TenantUserChange = Pick<TenantUser, 'id'> & Partial<Omit<TenantUser, 'id'>>;

/** Whether a delta item carries every property of {@link TenantUser} (a new user, or a full read). */
export function isWholeUser(change: TenantUserChange): change is TenantUser {
  return tenantUserProperties.every((property) => change[property] !== undefined);
}

const tenantUserProperties = [
  'userPrincipalName',
  'displayName',
  'mail',
  'accountEnabled',
  'usageLocation',
  'assignedLicenses',
] as const satisfies readonly (keyof TenantUser)[];

/** One page of a delta read; `deltaLink` is set only on the last page and must be persisted for the next run. */
export interface UserDeltaPage {
  /** Users added or updated; an update carries only the properties that changed (merge, do not replace). */
  changed: TenantUserChange[];
  removed: RemovedUser[];
  deltaLink: string | null;
}

/** A service plan inside a subscribed SKU. */
export interface ServicePlan {
  servicePlanId: string;
  servicePlanName: string;
}

/** A product the tenant subscribes to (`GET /subscribedSkus`). */
export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  servicePlans: ServicePlan[];
  prepaidEnabled: number;
  consumedUnits: number;
}

/** What a user's licences allow, derived from assignedLicenses and the tenant's SKUs. */
export interface LicenceFlags {
  /** Teams itself (a TEAMS1-like plan) is enabled. */
  hasTeams: boolean;
  /** Teams Phone (service plan MCOEV) is enabled. */
  hasTeamsPhone: boolean;
  /** A Microsoft Calling Plan (MCOPSTN*) is enabled: such users are excluded from Direct Routing. */
  hasCallingPlan: boolean;
  /** Teams without Teams Phone and without a Calling Plan: a candidate for the Phone App add-on. */
  phoneAppCandidate: boolean;
  /** Part numbers of the user's SKUs, for display. */
  skuPartNumbers: string[];
}

export type TeamsAccountType =
  'user' | 'resourceAccount' | 'guest' | 'sfbOnPremUser' | 'unknown' | 'ineligibleUser';

/** A number linked to a Teams user as `/admin/teams/userConfigurations` reports it. */
export interface TeamsTelephoneNumber {
  telephoneNumber: string;
  assignmentCategory: string | null;
}

/** A policy in effect for a user (`effectivePolicyAssignments`). */
export interface EffectivePolicy {
  policyType: string;
  displayName: string | null;
  policyId: string | null;
  assignmentType: string | null;
  groupId: string | null;
}

/** A user's Teams configuration (`GET /admin/teams/userConfigurations`). */
export interface TeamsUserConfiguration {
  id: string;
  userPrincipalName: string | null;
  accountType: TeamsAccountType;
  isEnterpriseVoiceEnabled: boolean;
  featureTypes: string[];
  telephoneNumbers: TeamsTelephoneNumber[];
  effectivePolicyAssignments: EffectivePolicy[];
}

export type NumberType = 'directRouting' | 'callingPlan' | 'operatorConnect';

/** A row of the tenant's number inventory (`GET .../telephoneNumberManagement/numberAssignments`). */
export interface NumberAssignment {
  id: string;
  telephoneNumber: string;
  numberType: string;
  activationState: string | null;
  assignmentTargetId: string | null;
  assignmentCategory: string | null;
  assignmentStatus: string | null;
  capabilities: string[];
  locationId: string | null;
  isoCountryCode: string | null;
  city: string | null;
  numberSource: string | null;
}

/** Teams upgrade (coexistence) modes; Phone App and Direct Routing need TeamsOnly. */
export const coexistenceModes = [
  'Islands',
  'TeamsOnly',
  'SfBOnly',
  'SfBWithTeamsCollab',
  'SfBWithTeamsCollabAndMeetings',
] as const;
export type CoexistenceMode = (typeof coexistenceModes)[number];

/** A user's effective coexistence mode as the Teams admin API reports it. */
export interface UserCoexistence {
  userId: string;
  userPrincipalName: string | null;
  /** null when Microsoft reported a value this client does not know (kept in `rawMode`). */
  mode: CoexistenceMode | null;
  rawMode: string | null;
}

/** The tenant's external access (federation) settings, with every JSON variant normalised. */
export interface FederationSettings {
  allowFederatedUsers: boolean;
  allowedDomains: { kind: 'allKnown' } | { kind: 'list'; domains: string[] };
  blockedDomains: string[];
  blockAllSubdomains: boolean;
}

export type NumberOperationStatus = 'notStarted' | 'running' | 'succeeded' | 'failed';

/** A long-running number operation (`.../telephoneNumberManagement/operations('<id>')`). */
export interface NumberOperation {
  id: string;
  status: NumberOperationStatus;
  numbers: { resourceLocation: string | null; status: string; statusDetail: string | null }[];
}

/** A Direct Routing voice route (Teams admin API; `New-CsOnlineVoiceRoute`). */
export interface VoiceRoute {
  identity: string;
  numberPattern: string;
  onlinePstnGatewayList: string[];
  onlinePstnUsages: string[];
  priority: number;
}

/** A voice routing policy (Teams admin API; `New-CsOnlineVoiceRoutingPolicy`). */
export interface VoiceRoutingPolicy {
  identity: string;
  onlinePstnUsages: string[];
}

/** A domain of the tenant (`GET /domains/{id}`), used for the carrier-model customer subdomain. */
export interface TenantDomain {
  id: string;
  isVerified: boolean;
  supportedServices: string[];
  /** Microsoft's reason when verification was refused (e.g. the DNS record is not visible yet). */
  verificationError?: string;
}

/** A Teams app installed in a user's personal scope. */
export interface InstalledTeamsApp {
  installationId: string;
  teamsAppId: string;
  displayName: string | null;
}
