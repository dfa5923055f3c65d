import { chunk } from './concurrency.js';
import { GraphError } from './graph.error.js';
import { pagesOf } from './graph.paging.js';
import { collectionItems, isJson } from './graph.parsers.js';
import type { GraphTransport } from './graph.transport.js';
import type {
  CoexistenceMode,
  FederationSettings,
  UserCoexistence,
  VoiceRoute,
  VoiceRoutingPolicy,
} from './microsoft.types.js';
import {
  coexistenceModeOf,
  parseFederationSettings,
  parsePstnUsages,
  parseUserCoexistence,
  parseVoiceRoute,
  parseVoiceRoutingPolicy,
} from './teams-admin.parsers.js';
import type { UserWriteOutcome } from './tenant-client.js';

/**
 * Paths of the Teams admin API ("Skype and Teams Tenant Admin API", what Teams PowerShell calls). Microsoft does
 * not document them; they live here, in one place, so they can be swapped when Microsoft changes them.
 */
export const teamsAdminPaths = {
  users: '/Teams.User/users',
  federation: '/Skype.Policy/configurations/TenantFederationSettings/configuration/global',
  upgradePolicyGlobal: '/Skype.Policy/policies/TeamsUpgradePolicy/policy/Global',
  pstnUsages: '/Skype.Policy/configurations/OnlinePstnUsages/configuration/global',
  voiceRoutes: '/Skype.Policy/configurations/OnlineVoiceRoute',
  voiceRoute: (identity: string) =>
    `/Skype.Policy/configurations/OnlineVoiceRoute/configuration/${encodeURIComponent(identity)}`,
  voiceRoutingPolicy: (identity: string) =>
    `/Skype.Policy/policies/OnlineVoiceRoutingPolicy/policy/${encodeURIComponent(identity)}`,
  userPolicy: (userId: string, policyType: string) =>
    `/Skype.Policy/users/${encodeURIComponent(userId)}/policies/${policyType}`,
} as const;

/** Coexistence, federation and Direct Routing objects through the Teams admin API. */
export class TeamsAdminClient {
  /** Whether Graph's beta policy assignment accepted the voice routing policy type (learned on first use). */
  private graphPolicyAssignment: boolean | undefined;

  constructor(private readonly transport: GraphTransport) {}

  async *listCoexistenceModes(pageSize = 1000): AsyncGenerator<UserCoexistence[]> {
    const first = { api: 'teamsAdmin' as const, url: `${teamsAdminPaths.users}?$top=${pageSize}` };
    for await (const page of pagesOf(this.transport, first)) {
      yield page.items.flatMap((item) => parseUserCoexistence(item) ?? []);
    }
  }

  async getCoexistenceMode(userId: string): Promise<UserCoexistence | null> {
    const url = `${teamsAdminPaths.users}/${encodeURIComponent(userId)}`;
    const response = await this.transport.send({ api: 'teamsAdmin', url, acceptStatuses: [404] });
    if (response.status === 404 || !isJson(response.body)) return null;
    return parseUserCoexistence(response.body);
  }

  async getTenantCoexistenceMode(): Promise<CoexistenceMode | null> {
    const response = await this.transport.send({
      api: 'teamsAdmin',
      url: teamsAdminPaths.upgradePolicyGlobal,
    });
    if (!isJson(response.body)) return null;
    const mode = response.body.Mode ?? response.body.mode;
    return coexistenceModeOf(typeof mode === 'string' ? mode : null);
  }

  async getFederationSettings(): Promise<FederationSettings> {
    const response = await this.transport.send({ api: 'teamsAdmin', url: teamsAdminPaths.federation });
    return parseFederationSettings(response.body);
  }

  async ensurePstnUsage(name: string): Promise<void> {
    const response = await this.transport.send({ api: 'teamsAdmin', url: teamsAdminPaths.pstnUsages });
    const usages = parsePstnUsages(response.body);
    if (usages.includes(name)) return;
    await this.transport.send({
      api: 'teamsAdmin',
      method: 'PUT',
      url: teamsAdminPaths.pstnUsages,
      body: { Identity: 'Global', Usage: [...usages, name] },
      idempotent: true,
    });
  }

  async ensureVoiceRoute(route: VoiceRoute): Promise<VoiceRoute> {
    const response = await this.transport.send({
      api: 'teamsAdmin',
      method: 'PUT',
      url: teamsAdminPaths.voiceRoute(route.identity),
      body: {
        Identity: route.identity,
        NumberPattern: route.numberPattern,
        OnlinePstnGatewayList: route.onlinePstnGatewayList,
        OnlinePstnUsages: route.onlinePstnUsages,
        Priority: route.priority,
      },
      idempotent: true,
    });
    return (isJson(response.body) && parseVoiceRoute(response.body)) || route;
  }

  async listVoiceRoutes(): Promise<VoiceRoute[]> {
    const response = await this.transport.send({ api: 'teamsAdmin', url: teamsAdminPaths.voiceRoutes });
    return collectionItems(response.body).flatMap((item) => parseVoiceRoute(item) ?? []);
  }

  async ensureVoiceRoutingPolicy(policy: VoiceRoutingPolicy): Promise<VoiceRoutingPolicy> {
    const response = await this.transport.send({
      api: 'teamsAdmin',
      method: 'PUT',
      url: teamsAdminPaths.voiceRoutingPolicy(policy.identity),
      body: { Identity: `Tag:${policy.identity}`, OnlinePstnUsages: policy.onlinePstnUsages },
      idempotent: true,
    });
    return (isJson(response.body) && parseVoiceRoutingPolicy(response.body)) || policy;
  }

  /**
   * Grant a voice routing policy. Graph's beta policy assignment is tried first (documented only for meeting
   * policies); when Graph refuses the policy type, the Teams admin API is used from then on.
   */
  async grantVoiceRoutingPolicy(
    userIds: readonly string[],
    policyName: string | null,
  ): Promise<UserWriteOutcome[]> {
    if (policyName !== null && this.graphPolicyAssignment !== false) {
      const policyId = await this.graphPolicyId('OnlineVoiceRoutingPolicy', policyName);
      if (policyId) return this.assignThroughGraph(userIds, 'OnlineVoiceRoutingPolicy', policyId);
    }
    const outcomes: UserWriteOutcome[] = [];
    for (const userId of userIds) {
      try {
        await this.transport.send({
          api: 'teamsAdmin',
          method: 'PUT',
          url: teamsAdminPaths.userPolicy(userId, 'OnlineVoiceRoutingPolicy'),
          body: { PolicyName: policyName },
          idempotent: true,
        });
        outcomes.push({ userId, ok: true });
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        outcomes.push({ userId, ok: false, error });
      }
    }
    return outcomes;
  }

  private async graphPolicyId(type: string, name: string): Promise<string | null> {
    const version = this.transport.settings.graphVersions.policyAssignments;
    const url = `/${version}/admin/teams/policy/getPolicyId(type='${type}',name='${name.replace(/'/g, "''")}')`;
    try {
      const response = await this.transport.send({ url });
      const found = collectionItems(response.body)[0]?.policyId;
      this.graphPolicyAssignment = typeof found === 'string';
      return typeof found === 'string' ? found : null;
    } catch (error) {
      if (error instanceof GraphError && [400, 404, 501].includes(error.httpStatus)) {
        this.graphPolicyAssignment = false;
        return null;
      }
      throw error;
    }
  }

  private async assignThroughGraph(userIds: readonly string[], policyType: string, policyId: string) {
    const outcomes: UserWriteOutcome[] = [];
    for (const group of chunk(userIds, 20)) {
      const value = group.map((userId) => ({
        '@odata.type': '#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment',
        userId,
        policyType,
        policyId,
      }));
      try {
        await this.transport.send({
          method: 'POST',
          url: `/${this.transport.settings.graphVersions.policyAssignments}/admin/teams/policy/userAssignments/assign`,
          body: { value },
          idempotent: true,
        });
        outcomes.push(...group.map((userId) => ({ userId, ok: true as const })));
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        outcomes.push(...group.map((userId) => ({ userId, ok: false as const, error })));
      }
    }
    return outcomes;
  }
}
