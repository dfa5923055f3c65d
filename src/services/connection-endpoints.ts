import { AppError } from '../domain/errors.js';
import type { NationalCloud } from '../domain/records.js';
import {
  cloudPresets,
  PRESET_AUTHORITY_ORIGINS,
  type CloudEndpoints,
} from '../microsoft/connection.settings.js';

/** Who may name which Microsoft endpoints: from the configuration. */
export interface EndpointPolicy {
  /** Demo/test installation: the emulator may be plain http on loopback. */
  demo: boolean;
  /** Origins the operator allows account administrators to use for a custom cloud. */
  allowedOrigins: readonly string[];
}

type EndpointField = keyof CloudEndpoints;
const FIELDS: EndpointField[] = ['authorityHost', 'graphBaseUrl', 'teamsAdminBaseUrl'];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The endpoints of a connection. A national cloud's are fixed (its preset); a custom cloud's are named in full,
 * https (plain http only for a loopback emulator, in demo mode or allow-listed), and only by a platform operator or within the
 * operator's allow-list: an account administrator who could name any host could send the app secret, the
 * provider's secret or a bearer token there (issue 14).
 */
export function resolveEndpoints(
  cloud: NationalCloud,
  given: Partial<Record<EndpointField, string | undefined>>,
  options: { operator: boolean; policy: EndpointPolicy },
): CloudEndpoints {
  if (cloud !== 'custom') {
    const preset = cloudPresets[cloud];
    for (const field of FIELDS) {
      const value = given[field];
      if (value !== undefined && trimSlash(value) !== preset[field])
        throw new AppError(
          'validation_failed',
          `The ${cloud} cloud has fixed endpoints: leave ${field} out, or choose the custom cloud (set up by your provider).`,
          { field },
        );
    }
    return preset;
  }
  const endpoints = {} as CloudEndpoints;
  for (const field of FIELDS) {
    const value = given[field];
    if (!value)
      throw new AppError(
        'validation_failed',
        'A custom cloud needs authorityHost, graphBaseUrl and teamsAdminBaseUrl.',
        { field },
      );
    endpoints[field] = checkedUrl(field, value, options.policy);
    const origin = new URL(endpoints[field]).origin;
    if (!options.operator && !options.policy.allowedOrigins.includes(origin))
      throw new AppError(
        'forbidden',
        `${origin} is not one of the Microsoft endpoints this installation allows (${field}). Choose a national cloud, or ask your provider: only a platform operator may set other endpoints.`,
        { field },
      );
  }
  return endpoints;
}

/** Whether the provider's own app secret may go to this sign-in host: Microsoft's preset hosts or allow-listed. */
export function providerSecretMayGoTo(authorityHost: string, policy: EndpointPolicy): boolean {
  const origin = new URL(authorityHost).origin;
  return PRESET_AUTHORITY_ORIGINS.has(origin) || policy.allowedOrigins.includes(origin);
}

/** Whether any endpoint, the cloud or the app of a connection differs: then its stored secret no longer applies. */
export function endpointsChanged(
  before: Omit<CloudEndpoints, 'teamsAdminBaseUrl'> & {
    cloud: NationalCloud;
    clientId: string | null;
    teamsAdminBaseUrl: string | null;
  },
  after: CloudEndpoints & { cloud: NationalCloud; clientId: string },
): boolean {
  return (
    before.cloud !== after.cloud ||
    before.clientId !== after.clientId ||
    FIELDS.some((field) => (before[field] ?? null) !== after[field])
  );
}

function checkedUrl(field: EndpointField, value: string, policy: EndpointPolicy): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('validation_failed', `${field} must be a URL such as https://login.example.com.`, {
      field,
    });
  }
  // Plain http only reaches a loopback emulator: in demo mode, or where the operator allow-listed it (tests).
  const plainAllowed =
    LOOPBACK.has(url.hostname) && (policy.demo || policy.allowedOrigins.includes(url.origin));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainAllowed))
    throw new AppError(
      'validation_failed',
      `${field} must use https (plain http only reaches a local emulator in demo mode).`,
      { field },
    );
  if (url.username || url.password || url.search || url.hash)
    throw new AppError(
      'validation_failed',
      `${field} must be a plain address without credentials, query or fragment.`,
      { field },
    );
  return trimSlash(url.toString());
}

const trimSlash = (text: string) => text.replace(/\/+$/, '');
