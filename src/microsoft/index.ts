/** The only door to Microsoft 365: the client interface, its Graph/Teams implementation and helpers. */
export { GraphTenantClient, type GraphTenantClientOptions } from './graph-tenant.client.js';
export type * from './tenant-client.js';
export type * from './microsoft.types.js';
export { defaultUserSelect, coexistenceModes, isWholeUser } from './microsoft.types.js';
export {
  cloudPresets,
  resolveConnectionSettings,
  TEAMS_ADMIN_RESOURCE,
  type CloudName,
  type ConnectionSettings,
  type ConnectionSettingsInput,
} from './connection.settings.js';
export { buildAdminConsentUrl, parseAdminConsentRedirect, type AdminConsentResult } from './admin-consent.js';
export {
  AuthorityUnavailableError,
  GraphError,
  TokenError,
  MicrosoftUnreachableError,
} from './graph.error.js';
export { DeltaResyncRequiredError } from './directory.reader.js';
export { NumberAssignmentError } from './number-assignment.writer.js';
export { indexSkus, licenceFlagsOf, type SkuIndex } from './licence.mapper.js';
export { isDomainReachable, parseFederationSettings } from './teams-admin.parsers.js';
export type { DiagnosticExchange, DiagnosticHook } from './diagnostics.js';
