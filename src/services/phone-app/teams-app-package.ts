import { strToU8, zipSync } from 'fflate';
import { AppError } from '../../domain/errors.js';
import { colorIcon, outlineIcon } from './teams-app-icons.js';

/** The Teams app manifest schema the package follows (the current one when this was written: v1.22). */
export const MANIFEST_SCHEMA_URL =
  'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json';
export const MANIFEST_VERSION = '1.22';
/** The app's own version: raise it when the manifest's shape changes, so tenants take the update. */
export const APP_PACKAGE_VERSION = '1.0.0';
/** Where the personal tab lives on Callbridge (served by the API, built from web/phone-app). */
export const TAB_PATH = '/phone-app/tab';
const DEFAULT_ACCENT = '#1a73e8';

/** What the package is made of: the provider's brand and Callbridge's own identities. */
export interface TeamsAppPackageInput {
  /** The app's id in the Teams catalog: the id the sync installs for each Phone App user. */
  teamsAppId: string;
  /** The Phone App's Entra application (single sign-on: webApplicationInfo). */
  clientId: string;
  /** Callbridge's public https address: the tab, the SSO resource and validDomains come from it. */
  publicUrl: string;
  /** The provider's name (the partner account's name when its brand has no product name). */
  providerName: string;
  brand: {
    productName?: string | undefined;
    primaryColor?: string | undefined;
    supportEmail?: string | undefined;
  };
}

/** Cuts text to a schema field's maximum length, ending with an ellipsis when cut. */
function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The manifest.json of the Phone App for one provider: a personal static tab pointing at Callbridge's tab page,
 * single sign-on through the Phone App application (`api://<host>/<client id>`), the provider's name and colour.
 */
export function teamsAppManifest(input: TeamsAppPackageInput): Record<string, unknown> {
  const base = new URL(input.publicUrl);
  if (base.protocol !== 'https:')
    throw new AppError(
      'precondition_failed',
      `Teams loads app tabs only over https, and this server's public URL is ${base.origin}. Set publicUrl (CALLBRIDGE_PUBLIC_URL) to its https address, then download the package again.`,
      { field: 'publicUrl' },
    );
  const origin = base.origin;
  const vendor = input.brand.productName ?? input.providerName;
  const product = `${vendor} Phone`;
  return {
    $schema: MANIFEST_SCHEMA_URL,
    manifestVersion: MANIFEST_VERSION,
    version: APP_PACKAGE_VERSION,
    id: input.teamsAppId,
    developer: {
      name: fit(vendor, 32),
      websiteUrl: `${origin}/`,
      privacyUrl: `${origin}/`,
      termsOfUseUrl: `${origin}/`,
    },
    name: { short: fit(product, 30), full: fit(product, 100) },
    description: {
      short: fit(`Call phone numbers through ${vendor} from Teams`, 80),
      full: fit(
        `A dialler in Microsoft Teams for users without a Teams Phone licence: dial a number or pick a contact, ` +
          `answer the call that rings in Teams, and ${vendor} connects it through your organisation's phone system.` +
          (input.brand.supportEmail ? ` Support: ${input.brand.supportEmail}.` : ''),
        4000,
      ),
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: input.brand.primaryColor ?? DEFAULT_ACCENT,
    staticTabs: [
      {
        entityId: 'dialler',
        name: 'Dialler',
        contentUrl: `${origin}${TAB_PATH}`,
        websiteUrl: `${origin}${TAB_PATH}`,
        scopes: ['personal'],
      },
    ],
    permissions: ['identity'],
    validDomains: [base.host],
    webApplicationInfo: { id: input.clientId, resource: `api://${base.host}/${input.clientId}` },
  };
}

/**
 * The app package a provider uploads to Teams (its organisation's catalog or Partner Center): a zip of
 * manifest.json and the two icons, made with fflate (maintained, no dependencies, synchronous for a few KB).
 *
 * @example const zip = teamsAppPackage({ teamsAppId, clientId, publicUrl: 'https://cb.example', providerName: 'Acme', brand: {} });
 */
export function teamsAppPackage(input: TeamsAppPackageInput): Uint8Array {
  const manifest = teamsAppManifest(input);
  return zipSync({
    'manifest.json': strToU8(JSON.stringify(manifest, null, 2)),
    'color.png': colorIcon(input.brand.primaryColor ?? DEFAULT_ACCENT),
    'outline.png': outlineIcon(),
  });
}
