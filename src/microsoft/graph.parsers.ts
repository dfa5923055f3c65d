import type {
  AssignedLicence,
  EffectivePolicy,
  NumberAssignment,
  NumberOperation,
  NumberOperationStatus,
  RemovedUser,
  SubscribedSku,
  TeamsAccountType,
  TeamsUserConfiguration,
  TenantUser,
  TenantUserChange,
} from './microsoft.types.js';

/** A JSON object as received; parsers read it defensively. */
export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const bool = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isJson) : []);

/**
 * The items of a collection answer. Accepts `value` as an array (the OData norm) or as a single object, as some
 * Teams documentation pages show it.
 */
export function collectionItems(body: unknown): Json[] {
  if (!isJson(body)) return [];
  const value = body.value;
  if (Array.isArray(value)) return value.filter(isJson);
  return isJson(value) ? [value] : [];
}

/** `@odata.nextLink` of a page, if any. */
export function nextLinkOf(body: unknown): string | null {
  return isJson(body) ? str(body['@odata.nextLink']) : null;
}

/** `@odata.deltaLink` of a page, if any. */
export function deltaLinkOf(body: unknown): string | null {
  return isJson(body) ? str(body['@odata.deltaLink']) : null;
}

/** An Entra user object; only `id` is required. */
export function parseUser(item: Json): TenantUser | null {
  const id = str(item.id);
  if (!id) return null;
  const licences: AssignedLicence[] = objects(item.assignedLicenses).flatMap((l) => {
    const skuId = str(l.skuId);
    return skuId ? [{ skuId, disabledPlans: strings(l.disabledPlans) }] : [];
  });
  return {
    id,
    userPrincipalName: str(item.userPrincipalName),
    displayName: str(item.displayName),
    mail: str(item.mail),
    accountEnabled: bool(item.accountEnabled),
    usageLocation: str(item.usageLocation),
    assignedLicenses: licences,
  };
}

/**
 * A delta item: only the properties present are set, so an update that carries `{id, displayName}` does not
 * read as a user without mail, licences or enabled state.
 */
export function parseUserChange(item: Json): TenantUserChange | null {
  const user = parseUser(item);
  if (!user) return null;
  const change: TenantUserChange = { id: user.id };
  if ('userPrincipalName' in item) change.userPrincipalName = user.userPrincipalName;
  if ('displayName' in item) change.displayName = user.displayName;
  if ('mail' in item) change.mail = user.mail;
  if ('accountEnabled' in item) change.accountEnabled = user.accountEnabled;
  if ('usageLocation' in item) change.usageLocation = user.usageLocation;
  if ('assignedLicenses' in item) change.assignedLicenses = user.assignedLicenses;
  return change;
}

/** A delta item carrying `@removed`, else null. */
export function parseRemoved(item: Json): RemovedUser | null {
  const removed = item['@removed'];
  const id = str(item.id);
  if (!id || !isJson(removed)) return null;
  return { id, reason: removed.reason === 'deleted' ? 'deleted' : 'changed' };
}

/** A subscribedSku. */
export function parseSku(item: Json): SubscribedSku | null {
  const skuId = str(item.skuId);
  if (!skuId) return null;
  const prepaid = isJson(item.prepaidUnits) ? item.prepaidUnits : {};
  return {
    skuId,
    skuPartNumber: str(item.skuPartNumber) ?? skuId,
    servicePlans: objects(item.servicePlans).flatMap((p) => {
      const servicePlanId = str(p.servicePlanId);
      return servicePlanId ? [{ servicePlanId, servicePlanName: str(p.servicePlanName) ?? '' }] : [];
    }),
    prepaidEnabled: typeof prepaid.enabled === 'number' ? prepaid.enabled : 0,
    consumedUnits: typeof item.consumedUnits === 'number' ? item.consumedUnits : 0,
  };
}

const accountTypes: readonly TeamsAccountType[] = [
  'user',
  'resourceAccount',
  'guest',
  'sfbOnPremUser',
  'unknown',
  'ineligibleUser',
];

/** A teamsUserConfiguration. */
export function parseTeamsUserConfiguration(item: Json): TeamsUserConfiguration | null {
  const id = str(item.id);
  if (!id) return null;
  const accountType = str(item.accountType);
  return {
    id,
    userPrincipalName: str(item.userPrincipalName),
    accountType: accountTypes.find((t) => t.toLowerCase() === accountType?.toLowerCase()) ?? 'unknown',
    isEnterpriseVoiceEnabled: item.isEnterpriseVoiceEnabled === true,
    featureTypes: strings(item.featureTypes),
    telephoneNumbers: objects(item.telephoneNumbers).flatMap((n) => {
      const telephoneNumber = str(n.telephoneNumber);
      return telephoneNumber ? [{ telephoneNumber, assignmentCategory: str(n.assignmentCategory) }] : [];
    }),
    effectivePolicyAssignments: objects(item.effectivePolicyAssignments).map(parsePolicy),
  };
}

function parsePolicy(item: Json): EffectivePolicy {
  const assignment = isJson(item.policyAssignment) ? item.policyAssignment : {};
  return {
    policyType: str(item.policyType) ?? '',
    displayName: str(assignment.displayName),
    policyId: str(assignment.policyId),
    assignmentType: str(assignment.assignmentType),
    groupId: str(assignment.groupId),
  };
}

/** A numberAssignment row. */
export function parseNumberAssignment(item: Json): NumberAssignment | null {
  const telephoneNumber = str(item.telephoneNumber);
  if (!telephoneNumber) return null;
  return {
    id: str(item.id) ?? telephoneNumber,
    telephoneNumber,
    numberType: str(item.numberType) ?? 'unknown',
    activationState: str(item.activationState),
    assignmentTargetId: str(item.assignmentTargetId),
    assignmentCategory: str(item.assignmentCategory),
    assignmentStatus: str(item.assignmentStatus),
    capabilities: strings(item.capabilities),
    locationId: str(item.locationId),
    isoCountryCode: str(item.isoCountryCode),
    city: str(item.city),
    numberSource: str(item.numberSource),
  };
}

const operationStatuses: readonly NumberOperationStatus[] = ['notStarted', 'running', 'succeeded', 'failed'];

/** A telephoneNumberLongRunningOperation, bare or wrapped in `value` (the docs show it wrapped). */
export function parseNumberOperation(body: unknown): NumberOperation | null {
  const item = isJson(body) && isJson(body.value) ? body.value : body;
  if (!isJson(item)) return null;
  const status = str(item.status);
  return {
    id: str(item.id) ?? '',
    status: operationStatuses.find((s) => s.toLowerCase() === status?.toLowerCase()) ?? 'running',
    numbers: objects(item.numbers).map((n) => ({
      resourceLocation: str(n.resourceLocation),
      status: str(n.status) ?? 'unknown',
      statusDetail: str(n.statusDetail),
    })),
  };
}
