import { z } from 'zod';
import { AppError, notFound } from '../domain/errors.js';
import { holdings } from '../domain/licences.js';
import {
  NOT_PROVISIONED,
  phoneAppChecks,
  phoneAppStep,
  type PhoneAppFinding,
  type PhoneAppStep,
} from '../domain/phone-app.js';
import type { Actor, TeamsSettings, VoiceService } from '../domain/records.js';
import { indexSkus, licenceFlagsOf } from '../microsoft/licence.mapper.js';
import type { Repositories, Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import { listUsersQuery } from './schemas/user.schema.js';
import { withoutUndefined } from './without-undefined.js';
import type { TenantConnectionsService } from './tenant-connections.service.js';
import type { SecretBox } from './secrets/secret-box.js';

export const teamsSettingsInput = z
  .object({
    phoneAppEnabled: z.boolean().optional(),
    largeTenantMode: z.boolean().optional(),
    standardGroupIds: z.array(z.uuid('must be an Entra ID group id')).max(50).optional(),
    phoneAppGroupId: z.uuid('must be an Entra ID group id').nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one setting to change');
export type TeamsSettingsInput = z.infer<typeof teamsSettingsInput>;

/** The Phone App of a service as administrators see it: where it stands and what to do next. */
export interface PhoneAppStatus {
  provisioned: boolean;
  enabled: boolean;
  consent: TeamsSettings['phoneAppConsent'];
  step: PhoneAppStep;
  message: string;
  teams: TeamsSettings;
  phoneAppUsers: number;
}

export interface PhoneAppOptions {
  /** The Phone App's multi-tenant application that customers authorize. */
  clientId: string;
  /** The domain its calls come from (must be allowed in external access). */
  domain: string;
}

/**
 * The Phone App add-on of a PBX service (seed 004): enable it on the Teams services settings (only where the account
 * holds Phone App licences), "Authorize Phone App for my Organization" (administrator consent for the Phone App
 * application), then Sync; and the readiness checks on demand.
 */
export class PhoneAppService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly tenantConnections: TenantConnectionsService,
    private readonly secrets: SecretBox,
    private readonly options: PhoneAppOptions,
  ) {}

  async status(actor: Actor, accountId: string, serviceId: string): Promise<PhoneAppStatus> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.service(accountId, serviceId);
    const held = await phoneAppLicences(this.store.repos, accountId);
    const { step, message } = phoneAppStep(service, held, await this.syncedSinceConsent(service));
    return {
      provisioned: held > 0 && service.kind === 'pbx',
      enabled: service.teams.phoneAppEnabled,
      consent: service.teams.phoneAppConsent,
      step,
      message,
      teams: service.teams,
      phoneAppUsers: (
        await this.store.repos.users.list(
          accountId,
          listUsersQuery.parse({ serviceId, kind: 'phone_app', limit: 1 }),
        )
      ).total,
    };
  }

  /**
   * Changes the Teams services settings: the Phone App switch (refused where it is not provisioned or for a trunk)
   * and Large Tenant Mode with its groups (the Phone App group must be set and distinct from the standard groups).
   */
  async updateSettings(
    actor: Actor,
    accountId: string,
    serviceId: string,
    raw: TeamsSettingsInput,
  ): Promise<PhoneAppStatus> {
    const input = teamsSettingsInput.parse(raw);
    await this.access.require(actor, accountId, 'service.write');
    await this.store.transaction(async (tx) => {
      const before = await tx.services.findById(accountId, serviceId);
      if (!before) throw notFound('service', serviceId);
      const teams: TeamsSettings = {
        ...before.teams,
        ...withoutUndefined(input),
      };
      if (teams.phoneAppEnabled && !before.teams.phoneAppEnabled) {
        if (before.kind !== 'pbx')
          throw new AppError(
            'precondition_failed',
            'The Phone App is available for PBX services only; this is a trunk service.',
            { field: 'phoneAppEnabled' },
          );
        if ((await phoneAppLicences(tx, accountId)) <= 0)
          throw new AppError('not_provisioned', NOT_PROVISIONED, { field: 'phoneAppEnabled' });
      }
      if (teams.largeTenantMode && teams.standardGroupIds.length === 0)
        throw new AppError(
          'validation_failed',
          'Large Tenant Mode needs at least one standard users group: users are synced from its members.',
          { field: 'standardGroupIds' },
        );
      if (teams.largeTenantMode && teams.phoneAppEnabled) {
        if (!teams.phoneAppGroupId)
          throw new AppError(
            'validation_failed',
            'With Large Tenant Mode, the Phone App needs its own group of Phone App users.',
            { field: 'phoneAppGroupId' },
          );
        if (teams.standardGroupIds.includes(teams.phoneAppGroupId))
          throw new AppError(
            'validation_failed',
            'The Phone App group must not be one of the standard users groups: Phone App users cannot be part of them.',
            { field: 'phoneAppGroupId' },
          );
      }
      const after = await tx.services.update(accountId, serviceId, { teams });
      await tx.audit.append({
        accountId,
        actor,
        action: 'service.teams_settings',
        objectType: 'service',
        objectId: serviceId,
        before: { teams: before.teams },
        after: { teams: after?.teams ?? teams },
      });
    });
    return this.status(actor, accountId, serviceId);
  }

  /**
   * "Authorize Phone App for my Organization": the administrator-consent URL of the Phone App application in the
   * customer's tenant. Microsoft sends the administrator back to the consent callback, which records the answer.
   */
  async authorize(
    actor: Actor,
    accountId: string,
    serviceId: string,
    redirectUri: string,
  ): Promise<{ consentUrl: string }> {
    await this.access.require(actor, accountId, 'service.write');
    const service = await this.service(accountId, serviceId);
    if (!service.teams.phoneAppEnabled)
      throw new AppError(
        'precondition_failed',
        'Enable the Phone App on the Teams services settings and save first; then authorize it.',
      );
    const connection = await this.store.repos.tenantConnections.findByAccount(accountId);
    if (!connection)
      throw new AppError(
        'precondition_failed',
        'Connect the Microsoft 365 tenant first (account > Microsoft 365); then authorize the Phone App.',
      );
    // The round trip ends in a sign-in with the connection's app that proves an administrator of the tenant.
    const consentUrl = await this.tenantConnections.startConsent(
      actor,
      connection,
      { purpose: 'phone_app', serviceId },
      { clientId: this.options.clientId, redirectUri },
    );
    return { consentUrl };
  }

  /**
   * The readiness checks on demand, from three bulk reads of the tenant (licence plans, external access, the
   * tenant's coexistence mode) and the users as the last sync stored them.
   */
  async checks(
    actor: Actor,
    accountId: string,
    serviceId: string,
  ): Promise<{ findings: PhoneAppFinding[]; checkedUsers: number }> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.service(accountId, serviceId);
    const client = await this.tenantConnections.clientFor(accountId);
    const [skuList, federation, tenantMode] = await Promise.all([
      client.listSubscribedSkus(),
      client.getFederationSettings(),
      client.getTenantCoexistenceMode(),
    ]);
    const skus = indexSkus(skuList);
    const byPart = new Map(skuList.map((s) => [s.skuPartNumber, s.skuId]));
    const users = (await this.store.repos.users.listForSync(accountId, serviceId)).filter(
      (u) => u.tenantState === 'active' && u.kind !== 'resource_account',
    );
    const checkUsers = users.map((u) => {
      const flags = licenceFlagsOf(
        {
          assignedLicenses: u.licences.flatMap((part) => {
            const skuId = byPart.get(part);
            return skuId ? [{ skuId, disabledPlans: [] }] : [];
          }),
        },
        skus,
      );
      return {
        email: u.email,
        kind: u.kind,
        coexistenceMode: u.coexistenceMode,
        hasTeamsPhone: flags.hasTeamsPhone,
        hasCallingPlan: flags.hasCallingPlan,
        licensed: u.licences.length > 0,
      };
    });
    const findings = phoneAppChecks({
      users: service.teams.phoneAppEnabled ? checkUsers : checkUsers.filter((u) => u.kind === 'phone_app'),
      tenantCoexistenceMode: tenantMode,
      externalAccess: federation,
      phoneAppDomain: this.options.domain,
    });
    return { findings, checkedUsers: users.length };
  }

  private async service(accountId: string, serviceId: string): Promise<VoiceService> {
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    return service;
  }

  /** When the first sync after consent finished, or null. */
  private async syncedSinceConsent(service: VoiceService): Promise<string | null> {
    const consentAt = service.teams.phoneAppConsentAt;
    if (service.teams.phoneAppConsent !== 'granted' || !consentAt) return null;
    const runs = await this.store.repos.syncRuns.listByService(service.accountId, service.id, 20);
    const done = runs.find(
      (r) =>
        !r.dryRun && (r.state === 'succeeded' || r.state === 'warning') && (r.finishedAt ?? '') > consentAt,
    );
    return done?.finishedAt ?? null;
  }
}

/** Phone App licences the account holds now (trials count through their warning period). */
async function phoneAppLicences(repos: Repositories, accountId: string): Promise<number> {
  return (
    holdings(await repos.subscriptions.listByAccount(accountId), new Date()).get('phone_app_user')?.held ?? 0
  );
}
