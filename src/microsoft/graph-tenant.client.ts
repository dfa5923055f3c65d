import { resolveConnectionSettings, type ConnectionSettingsInput } from './connection.settings.js';
import * as directory from './directory.reader.js';
import { runBatched } from './graph.batch.js';
import { parseGraphErrorBody } from './graph.error.js';
import { pagesOf, skipPagesOf } from './graph.paging.js';
import {
  collectionItems,
  isJson,
  parseNumberAssignment,
  parseTeamsUserConfiguration,
} from './graph.parsers.js';
import { GraphTransport, type TransportOptions } from './graph.transport.js';
import type {
  InstalledTeamsApp,
  NumberAssignment,
  TeamsUserConfiguration,
  TenantDomain,
  VoiceRoute,
  VoiceRoutingPolicy,
} from './microsoft.types.js';
import { NumberAssignmentWriter, numbersBaseOf, type OperationPolling } from './number-assignment.writer.js';
import { TeamsAdminClient } from './teams-admin.client.js';
import type {
  AssignNumberRequest,
  MicrosoftTenantClient,
  PageOptions,
  UnassignNumberRequest,
  UserWriteOutcome,
} from './tenant-client.js';
import { MsalTokenProvider, type AccessTokenSource } from './token.provider.js';

/** Options of the Graph/Teams client beyond the connection itself. */
export interface GraphTenantClientOptions extends TransportOptions {
  /** Batches in flight at once for per-user reads and writes. */
  batchConcurrency?: number;
  /** How number operations are polled. */
  operationPolling?: OperationPolling;
  /** A token source other than msal (tests of the transport only). */
  tokens?: AccessTokenSource;
}

/**
 * The real client: Microsoft Graph for users, groups, licences, Teams user configuration, numbers and apps;
 * the Teams admin API for what Graph lacks. Works unchanged against Microsoft and against the emulator.
 * @example
 *   const client = new GraphTenantClient({ tenantId, clientId, clientSecret });
 *   for await (const page of client.listUsers()) console.log(page.length);
 */
export class GraphTenantClient implements MicrosoftTenantClient {
  readonly tenantId: string;
  readonly transport: GraphTransport;
  private readonly numbers: NumberAssignmentWriter;
  private readonly teamsAdmin: TeamsAdminClient;
  private readonly batchConcurrency: number;

  constructor(connection: ConnectionSettingsInput, options: GraphTenantClientOptions = {}) {
    const settings = resolveConnectionSettings(connection);
    const tokens = options.tokens ?? new MsalTokenProvider(settings, options.fetch, options.onExchange);
    this.tenantId = settings.tenantId;
    this.transport = new GraphTransport(settings, tokens, options);
    this.numbers = new NumberAssignmentWriter(this.transport, {
      intervalMs: options.operationPolling?.intervalMs ?? 2_000,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...options.operationPolling,
    });
    this.teamsAdmin = new TeamsAdminClient(this.transport);
    this.batchConcurrency = options.batchConcurrency ?? 4;
  }

  listUsers(options?: PageOptions) {
    return directory.listUsers(this.transport, options);
  }

  readUsersDelta(deltaLink: string | null, options?: PageOptions) {
    return directory.readUsersDelta(this.transport, deltaLink, options);
  }

  latestUsersDeltaLink(options?: PageOptions) {
    return directory.latestUsersDeltaLink(this.transport, options);
  }

  getUsers(userIds: readonly string[]) {
    return directory.getUsers(this.transport, userIds, this.batchConcurrency);
  }

  listGroupMembers(groupId: string, options?: PageOptions) {
    return directory.listGroupMembers(this.transport, groupId, options);
  }

  listSubscribedSkus() {
    return directory.listSubscribedSkus(this.transport);
  }

  async *listTeamsUserConfigurations(
    options?: PageOptions & { modifiedSince?: string },
  ): AsyncGenerator<TeamsUserConfiguration[]> {
    const top = options?.pageSize ?? 999;
    const filter = options?.modifiedSince
      ? `&$filter=${encodeURIComponent(`modifiedDateTime ge ${options.modifiedSince}`)}`
      : '';
    for await (const page of pagesOf(this.transport, {
      url: `/v1.0/admin/teams/userConfigurations?$top=${top}${filter}`,
    })) {
      yield page.items.flatMap((item) => parseTeamsUserConfiguration(item) ?? []);
    }
  }

  async getTeamsUserConfigurations(
    userIds: readonly string[],
  ): Promise<Map<string, TeamsUserConfiguration | null>> {
    const items = userIds.map((id) => ({
      method: 'GET' as const,
      url: `/admin/teams/userConfigurations/${encodeURIComponent(id)}`,
    }));
    const outcomes = await runBatched(this.transport, items, { concurrency: this.batchConcurrency });
    const result = new Map<string, TeamsUserConfiguration | null>();
    outcomes.forEach((outcome, index) => {
      const userId = userIds[index]!;
      if (outcome.status === 404) return result.set(userId, null);
      if (outcome.error) throw outcome.error;
      result.set(userId, isJson(outcome.body) ? parseTeamsUserConfiguration(outcome.body) : null);
    });
    return result;
  }

  async *listNumberAssignments(options?: {
    filter?: string;
    pageSize?: number;
  }): AsyncGenerator<NumberAssignment[]> {
    const filter = options?.filter ? `?$filter=${encodeURIComponent(options.filter)}` : '';
    const url = `${numbersBaseOf(this.transport)}/numberAssignments${filter}`;
    for await (const page of skipPagesOf(this.transport, { url }, options?.pageSize ?? 1000)) {
      yield page.items.flatMap((item) => parseNumberAssignment(item) ?? []);
    }
  }

  listCoexistenceModes(options?: { pageSize?: number }) {
    return this.teamsAdmin.listCoexistenceModes(options?.pageSize);
  }

  getCoexistenceMode(userId: string) {
    return this.teamsAdmin.getCoexistenceMode(userId);
  }

  getTenantCoexistenceMode() {
    return this.teamsAdmin.getTenantCoexistenceMode();
  }

  getFederationSettings() {
    return this.teamsAdmin.getFederationSettings();
  }

  assignNumber(request: AssignNumberRequest, options?: { waitMs?: number }) {
    return this.numbers.assign(request, options?.waitMs);
  }

  unassignNumber(request: UnassignNumberRequest, options?: { waitMs?: number }) {
    return this.numbers.unassign(request, options?.waitMs);
  }

  getNumberOperation(operationUrl: string) {
    return this.numbers.getOperation(operationUrl);
  }

  grantVoiceRoutingPolicy(userIds: readonly string[], policyName: string | null) {
    return this.teamsAdmin.grantVoiceRoutingPolicy(userIds, policyName);
  }

  ensurePstnUsage(name: string) {
    return this.teamsAdmin.ensurePstnUsage(name);
  }

  ensureVoiceRoute(route: VoiceRoute) {
    return this.teamsAdmin.ensureVoiceRoute(route);
  }

  ensureVoiceRoutingPolicy(policy: VoiceRoutingPolicy) {
    return this.teamsAdmin.ensureVoiceRoutingPolicy(policy);
  }

  async ensureDomain(domainName: string): Promise<TenantDomain> {
    const existing = await this.getDomain(domainName);
    if (existing) return existing;
    const response = await this.transport.send({
      method: 'POST',
      url: '/v1.0/domains',
      body: { id: domainName },
      acceptStatuses: [409],
    });
    if (response.status === 409) return (await this.getDomain(domainName))!;
    return parseDomain(response.body, domainName);
  }

  async verifyDomain(domainName: string): Promise<TenantDomain> {
    const url = `/v1.0/domains/${encodeURIComponent(domainName)}/verify`;
    const response = await this.transport.send({ method: 'POST', url, acceptStatuses: [400] });
    if (response.status === 400) {
      const domain = (await this.getDomain(domainName)) ?? parseDomain({}, domainName);
      return { ...domain, verificationError: parseGraphErrorBody(response.body, 400).message };
    }
    return parseDomain(response.body, domainName);
  }

  private async getDomain(domainName: string): Promise<TenantDomain | null> {
    const url = `/v1.0/domains/${encodeURIComponent(domainName)}`;
    const response = await this.transport.send({ url, acceptStatuses: [404] });
    return response.status === 404 ? null : parseDomain(response.body, domainName);
  }

  async installTeamsApp(userIds: readonly string[], teamsAppId: string): Promise<UserWriteOutcome[]> {
    const bind = `${this.transport.settings.graphBaseUrl}/v1.0/appCatalogs/teamsApps/${teamsAppId}`;
    const items = userIds.map((id) => ({
      method: 'POST' as const,
      url: `/users/${encodeURIComponent(id)}/teamwork/installedApps`,
      body: { 'teamsApp@odata.bind': bind },
    }));
    const outcomes = await runBatched(this.transport, items, { concurrency: this.batchConcurrency });
    return outcomes.map((outcome, index) => {
      const userId = userIds[index]!;
      // 409: the app is already there, which is what we wanted.
      if (!outcome.error || outcome.status === 409) return { userId, ok: true as const };
      return { userId, ok: false as const, error: outcome.error };
    });
  }

  async listInstalledTeamsApps(userId: string, teamsAppId?: string): Promise<InstalledTeamsApp[]> {
    const apps: InstalledTeamsApp[] = [];
    for await (const page of pagesOf(this.transport, {
      url: `/v1.0${installedAppsPath(userId, teamsAppId)}`,
    })) {
      apps.push(...page.items.flatMap((item) => parseInstallation(item) ?? []));
    }
    return apps;
  }

  async uninstallTeamsApp(userId: string, teamsAppId: string): Promise<void> {
    for (const app of await this.listInstalledTeamsApps(userId, teamsAppId)) {
      const url = `/v1.0/users/${encodeURIComponent(userId)}/teamwork/installedApps/${encodeURIComponent(app.installationId)}`;
      await this.transport.send({ method: 'DELETE', url, acceptStatuses: [404], idempotent: true });
    }
  }

  async uninstallTeamsAppForUsers(
    userIds: readonly string[],
    teamsAppId: string,
  ): Promise<UserWriteOutcome[]> {
    const batch = { concurrency: this.batchConcurrency };
    const found = await runBatched(
      this.transport,
      userIds.map((id) => ({ method: 'GET' as const, url: installedAppsPath(id, teamsAppId) })),
      batch,
    );
    const outcomes = new Map<string, UserWriteOutcome>();
    const deletes: { userId: string; url: string }[] = [];
    found.forEach((outcome, index) => {
      const userId = userIds[index]!;
      // 404: the user is gone from the tenant, and their apps with them.
      if (outcome.status === 404) return outcomes.set(userId, { userId, ok: true });
      if (outcome.error) return outcomes.set(userId, { userId, ok: false, error: outcome.error });
      const apps = collectionItems(outcome.body).flatMap((item) => parseInstallation(item) ?? []);
      outcomes.set(userId, { userId, ok: true });
      for (const app of apps.filter((a) => a.teamsAppId.toLowerCase() === teamsAppId.toLowerCase()))
        deletes.push({
          userId,
          url: `/users/${encodeURIComponent(userId)}/teamwork/installedApps/${encodeURIComponent(app.installationId)}`,
        });
    });
    const removed = await runBatched(
      this.transport,
      deletes.map((d) => ({ method: 'DELETE' as const, url: d.url })),
      batch,
    );
    removed.forEach((outcome, index) => {
      const { userId } = deletes[index]!;
      if (outcome.error && outcome.status !== 404)
        outcomes.set(userId, { userId, ok: false, error: outcome.error });
    });
    return userIds.map((userId) => outcomes.get(userId)!);
  }
}

/** A user's installed apps, with the app expanded; only `teamsAppId`'s installation when given. */
function installedAppsPath(userId: string, teamsAppId?: string): string {
  const filter = teamsAppId
    ? `&$filter=${encodeURIComponent(`teamsApp/id eq '${teamsAppId.replace(/'/g, "''")}'`)}`
    : '';
  return `/users/${encodeURIComponent(userId)}/teamwork/installedApps?$expand=teamsApp${filter}`;
}

function parseInstallation(item: unknown): InstalledTeamsApp | null {
  if (!isJson(item)) return null;
  const app = isJson(item.teamsApp) ? item.teamsApp : {};
  if (typeof item.id !== 'string' || typeof app.id !== 'string') return null;
  const displayName = typeof app.displayName === 'string' ? app.displayName : null;
  return { installationId: item.id, teamsAppId: app.id, displayName };
}

function parseDomain(body: unknown, fallbackId: string): TenantDomain {
  const item = isJson(body) ? body : {};
  return {
    id: typeof item.id === 'string' ? item.id : fallbackId,
    isVerified: item.isVerified === true,
    supportedServices: Array.isArray(item.supportedServices)
      ? item.supportedServices.filter((s): s is string => typeof s === 'string')
      : [],
  };
}
