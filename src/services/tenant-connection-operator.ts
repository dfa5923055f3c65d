import { AppError, notFound } from '../domain/errors.js';
import type { Actor, TenantConnection } from '../domain/records.js';
import { isTenantId } from '../microsoft/tenant-id.js';
import { TENANT_TAKEN } from '../store/repositories/tenant-connections.repository.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';

/**
 * Records administrator consent given outside Callbridge (the Entra admin center, or an emulator in checks),
 * for installations whose Microsoft redirect cannot reach Callbridge. A platform operator only (the CLI's system
 * actor): no API route calls this. Audited as `tenant_connection.consent_recorded`.
 */
export async function recordOperatorConsent(
  store: Store,
  access: AccessService,
  actor: Actor,
  accountId: string,
  note?: string,
): Promise<TenantConnection> {
  await access.requireOperator(actor, 'record consent given outside Callbridge');
  return store.transaction(async (tx) => {
    const before = await tx.tenantConnections.findByAccount(accountId);
    if (!before) throw notFound('tenant_connection', accountId);
    if (!before.tenantId || !isTenantId(before.tenantId))
      throw new AppError(
        'precondition_failed',
        'The connection names no tenant id: connect it with the tenant id first, then record the consent.',
      );
    const holder = await tx.tenantConnections.findByTenant(before.tenantId);
    if (holder && holder.accountId !== accountId) throw new AppError('conflict', TENANT_TAKEN);
    const after = await tx.tenantConnections.update(accountId, {
      consentState: 'granted',
      consentedAt: new Date().toISOString(),
      consentError: null,
    });
    await tx.audit.append({
      accountId,
      actor,
      action: 'tenant_connection.consent_recorded',
      objectType: 'tenant_connection',
      objectId: before.id,
      before,
      after: { ...after, ...(note && { note }) },
    });
    return after!;
  });
}

/**
 * Moves a tenant to another account (a platform operator only, audited on both): the account that held it keeps
 * its connection without the tenant (revoked, saying why); the receiving account gets the tenant, pending its own
 * administrator's consent (or an operator's record of it). The delta cursor is dropped on both sides.
 */
export async function moveTenant(
  store: Store,
  access: AccessService,
  actor: Actor,
  tenantId: string,
  toAccountId: string,
): Promise<TenantConnection> {
  await access.requireOperator(actor, 'move a Microsoft 365 tenant between accounts');
  const tenant = tenantId.trim().toLowerCase();
  return store.transaction(async (tx) => {
    if (!(await tx.accounts.findById(toAccountId))) throw notFound('account', toAccountId);
    const from = await tx.tenantConnections.findByTenant(tenant);
    if (!from) throw notFound('tenant_connection', tenant);
    if (from.accountId === toAccountId)
      throw new AppError('validation_failed', 'The tenant is already connected to that account.', {
        field: 'to',
      });
    const left = await tx.tenantConnections.update(from.accountId, {
      tenantId: null,
      consentState: 'revoked',
      consentError: 'A platform operator moved this tenant to another account.',
      deltaLink: null,
    });
    await tx.audit.append({
      accountId: from.accountId,
      actor,
      action: 'tenant_connection.tenant_moved_away',
      objectType: 'tenant_connection',
      objectId: from.id,
      before: from,
      after: left ?? null,
    });
    const existing = await tx.tenantConnections.findByAccount(toAccountId);
    const pending = {
      tenantId: tenant,
      consentState: 'pending' as const,
      consentError: null,
      deltaLink: null,
    };
    const after = existing
      ? await tx.tenantConnections.update(toAccountId, pending)
      : await tx.tenantConnections.create({
          accountId: toAccountId,
          cloud: from.cloud,
          authorityHost: from.authorityHost,
          graphBaseUrl: from.graphBaseUrl,
          teamsAdminBaseUrl: from.teamsAdminBaseUrl,
          clientId: from.clientId,
          clientSecretEnc: null,
          consentedAt: null,
          ...pending,
        });
    await tx.audit.append({
      accountId: toAccountId,
      actor,
      action: 'tenant_connection.tenant_moved_here',
      objectType: 'tenant_connection',
      objectId: after!.id,
      before: existing ?? null,
      after: after ?? null,
    });
    return after!;
  });
}
