import { z } from 'zod';
import { AppError } from '../domain/errors.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name of at least two labels (e.g. contoso.onmicrosoft.com): letters, digits and inner hyphens only. */
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export const TENANT_ID_HINT =
  'must be the tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47) or one of its domain names (e.g. contoso.onmicrosoft.com)';

/** Whether the text is a tenant id Microsoft accepts in an authority path: a GUID or a domain name. */
export function isTenantId(text: string): boolean {
  return GUID.test(text) || DOMAIN.test(text);
}

/** Whether the text is a tenant GUID (what Microsoft's `tid` claim holds). */
export function isTenantGuid(text: string): boolean {
  return GUID.test(text);
}

/** A tenant id as an input field: trimmed, lower case (GUIDs and domains compare case-insensitively), checked. */
export const tenantIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .refine(isTenantId, { message: TENANT_ID_HINT });

/**
 * The tenant's path segment of an authority URL. The tenant id is checked again here, at the last step before a
 * URL is built, so a value stored before the check existed (e.g. `_emulator/tenants#`) cannot steer a request
 * elsewhere on the host; and it is percent-encoded all the same.
 * @example tenantPathSegment('contoso.onmicrosoft.com') // 'contoso.onmicrosoft.com'
 */
export function tenantPathSegment(tenantId: string): string {
  if (!isTenantId(tenantId)) throw new InvalidTenantIdError(tenantId);
  return encodeURIComponent(tenantId);
}

/** A tenant id that is not one: thrown before any request is made. */
export class InvalidTenantIdError extends AppError {
  constructor(tenantId: string) {
    super('validation_failed', `The tenant id ${JSON.stringify(tenantId.slice(0, 100))} ${TENANT_ID_HINT}.`, {
      field: 'tenantId',
    });
    this.name = 'InvalidTenantIdError';
  }
}
