import {
  coexistenceModes,
  type CoexistenceMode,
  type FederationSettings,
  type UserCoexistence,
  type VoiceRoute,
  type VoiceRoutingPolicy,
} from './microsoft.types.js';
import { isJson, type Json } from './graph.parsers.js';

/**
 * The Teams admin API (what Teams PowerShell calls) is undocumented and tools disagree on its JSON: PascalCase or
 * camelCase keys, lists bare or wrapped. These parsers accept every variant seen (MICROSOFT.md).
 */
function field(item: Json, name: string): unknown {
  if (name in item) return item[name];
  const lower = name.toLowerCase();
  const key = Object.keys(item).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : item[key];
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Domains from `[{"Domain":"x"}]`, `["x"]`, `{"AllowedDomain":[...]}` or `{"Domain":[...]}`. */
function domainList(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((entry) => {
      if (typeof entry === 'string') return [entry.toLowerCase()];
      const domain = isJson(entry) ? text(field(entry, 'Domain')) : null;
      return domain ? [domain.toLowerCase()] : [];
    });
  }
  if (!isJson(value)) return [];
  for (const key of ['AllowedDomain', 'BlockedDomain', 'Domain', 'Domains', 'value']) {
    const inner = field(value, key);
    if (Array.isArray(inner)) return domainList(inner);
  }
  return [];
}

/**
 * `AllowedDomains` variants: `{"AllowAllKnownDomains":{}}`, `{}` and null mean "all known domains";
 * `{"AllowedDomain":[{"Domain":"x"}]}` and `[{"Domain":"x"}]` are an allow-list.
 */
function allowedDomainsOf(value: unknown): FederationSettings['allowedDomains'] {
  if (value === null || value === undefined) return { kind: 'allKnown' };
  if (isJson(value) && field(value, 'AllowAllKnownDomains') !== undefined) return { kind: 'allKnown' };
  if (isJson(value) && Object.keys(value).length === 0) return { kind: 'allKnown' };
  if (typeof value === 'string' && /allowallknowndomains/i.test(value)) return { kind: 'allKnown' };
  return { kind: 'list', domains: domainList(value) };
}

/** Parse `TenantFederationSettings` (Get-CsTenantFederationConfiguration), bare or wrapped in `value`. */
export function parseFederationSettings(body: unknown): FederationSettings {
  const item = isJson(body) && isJson(body.value) ? body.value : isJson(body) ? body : {};
  return {
    allowFederatedUsers: field(item, 'AllowFederatedUsers') === true,
    allowedDomains: allowedDomainsOf(field(item, 'AllowedDomains')),
    blockedDomains: domainList(field(item, 'BlockedDomains')),
    blockAllSubdomains: field(item, 'BlockAllSubdomains') === true,
  };
}

/**
 * Whether users of `domain` can reach the tenant over external access: the master switch must be on, then the
 * allow-list decides, or with all known domains allowed, the block-list (parents too with BlockAllSubdomains).
 * @example isDomainReachable(settings, 'phoneapp.example.net')
 */
export function isDomainReachable(settings: FederationSettings, domain: string): boolean {
  const target = domain.toLowerCase();
  if (!settings.allowFederatedUsers) return false;
  if (settings.allowedDomains.kind === 'list') return settings.allowedDomains.domains.includes(target);
  const blocked = new Set(settings.blockedDomains);
  if (blocked.has(target)) return false;
  if (!settings.blockAllSubdomains) return true;
  const labels = target.split('.');
  for (let i = 1; i < labels.length - 1; i++) if (blocked.has(labels.slice(i).join('.'))) return false;
  return true;
}

/** A mode string to a known mode (case-insensitive), else null. */
export function coexistenceModeOf(raw: string | null): CoexistenceMode | null {
  if (!raw) return null;
  return coexistenceModes.find((m) => m.toLowerCase() === raw.toLowerCase()) ?? null;
}

/** A user row of the Teams admin API (Get-CsOnlineUser shape). */
export function parseUserCoexistence(item: Json): UserCoexistence | null {
  const userId = text(field(item, 'ObjectId')) ?? text(field(item, 'Identity')) ?? text(field(item, 'Id'));
  if (!userId) return null;
  const rawMode = text(field(item, 'TeamsUpgradeEffectiveMode'));
  return {
    userId,
    userPrincipalName: text(field(item, 'UserPrincipalName')),
    mode: coexistenceModeOf(rawMode),
    rawMode,
  };
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** Strip PowerShell's `Tag:` prefix from an identity. */
export function identityName(identity: string): string {
  return identity.replace(/^Tag:/i, '');
}

/** An OnlineVoiceRoute. */
export function parseVoiceRoute(item: Json): VoiceRoute | null {
  const identity = text(field(item, 'Identity')) ?? text(field(item, 'Name'));
  if (!identity) return null;
  return {
    identity: identityName(identity),
    numberPattern: text(field(item, 'NumberPattern')) ?? '.*',
    onlinePstnGatewayList: stringList(field(item, 'OnlinePstnGatewayList')),
    onlinePstnUsages: stringList(field(item, 'OnlinePstnUsages')),
    priority: Number(field(item, 'Priority') ?? 0),
  };
}

/** An OnlineVoiceRoutingPolicy. */
export function parseVoiceRoutingPolicy(item: Json): VoiceRoutingPolicy | null {
  const identity = text(field(item, 'Identity')) ?? text(field(item, 'Name'));
  if (!identity) return null;
  return { identity: identityName(identity), onlinePstnUsages: stringList(field(item, 'OnlinePstnUsages')) };
}

/** PSTN usages from `{"Usage":[...]}` (Get-CsOnlinePstnUsage) or a bare list. */
export function parsePstnUsages(body: unknown): string[] {
  const item = isJson(body) && isJson(body.value) ? body.value : body;
  if (Array.isArray(item)) return stringList(item);
  return isJson(item) ? stringList(field(item, 'Usage')) : [];
}
