import type { SeedContact, SeedSku, SeedTenant, SeedUser } from './seed.schema.js';
import { TelephonyState } from './telephony.state.js';
import type { FaultState } from './fault.injector.js';

/** A coexistence mode as Teams knows it. */
export type Mode = NonNullable<SeedUser['coexistenceMode']>;

/** A user inside the emulator. Licences are stored by skuId; `version` is the change sequence for delta. */
export interface EmUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean;
  usageLocation: string | null;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  accountType: 'user' | 'resourceAccount' | 'guest';
  coexistenceMode: Mode | null;
  enterpriseVoice: boolean;
  voiceRoutingPolicy: string | null;
  installedApps: { installationId: string; teamsAppId: string }[];
  createdDateTime: string;
  version: number;
  /** The sequence at which the user was created: a delta since before it returns the whole object. */
  createdVersion: number;
  /**
   * The sequence at which each directory property (Graph's name) last changed: a delta since after the user's
   * creation returns only these (Microsoft: "at least the properties that have been updated").
   */
  propertyVersions: Record<string, number>;
  /** When the Teams side (numbers, policies, voice, coexistence) last changed (ms): not a directory change. */
  teamsModifiedAt: number;
  /** Entra ID directory roles (role template ids): the ID token's `wids` claim. */
  directoryRoles: string[];
}

/** A removed user remembered for delta readers. */
export interface Tombstone {
  id: string;
  reason: 'changed' | 'deleted';
  version: number;
}

/** What the Teams side reads of a user's licences. */
export interface UserPlans {
  teams: boolean;
  teamsPhone: boolean;
  callingPlan: boolean;
  audioConferencing: boolean;
}

/**
 * One emulated tenant: directory (users, groups, SKUs, domains), Teams telephony, consent and faults.
 * Every change bumps `sequence` and the changed user's `version`, which is what delta tokens compare against.
 */
export class TenantState {
  readonly id: string;
  readonly domain: string;
  readonly displayName: string;
  readonly users = new Map<string, EmUser>();
  readonly upnIndex = new Map<string, string>();
  readonly tombstones = new Map<string, Tombstone>();
  readonly groups = new Map<string, { id: string; displayName: string; members: Set<string> }>();
  readonly skus: SeedSku[];
  readonly domains = new Map<string, { id: string; isVerified: boolean; createdAt?: number }>();
  /** A domain added at run time cannot be verified until this long after it was added (DNS propagation). */
  domainReadyDelayMs = 0;
  readonly consentedApps: Set<string>;
  /** Delegated Graph permissions granted tenant-wide per app (client id -> scopes), by administrator consent. */
  readonly delegatedGrants = new Map<string, Set<string>>();
  /** Each user's Outlook contacts (user id -> contacts), as Graph's `/users/{id}/contacts` lists them. */
  readonly contacts = new Map<string, SeedContact[]>();
  readonly telephony: TelephonyState;
  tenantCoexistenceMode: Mode;
  consentBehaviour: 'grant' | 'deny' = 'grant';
  /** Delta tokens issued before this sequence are refused with 410 (admin "reset"). */
  deltaResetSequence = 0;
  deltaTokenTtlMs = 7 * 24 * 3600 * 1000;
  /** Delta pages repeat the previous page's last item (Graph documents that items can repeat). */
  deltaDuplicates = false;
  /** Which JSON variant the Teams admin API uses for federation settings (tools disagree). */
  federationStyle: 'powershell' | 'flat' = 'powershell';
  /** Graph's beta policy assignment accepts OnlineVoiceRoutingPolicy (unsure in reality; off by default). */
  graphVoicePolicyAssignment = false;
  faults: FaultState | undefined;
  sequence = 1;
  private readonly skuByPart = new Map<string, SeedSku>();
  private readonly licenceCache = new Map<string, { skuId: string; disabledPlans: string[] }[]>();
  private listCache: { sequence: number; users: EmUser[] } | undefined;

  constructor(seed: SeedTenant) {
    this.id = seed.id;
    this.domain = seed.domain;
    this.displayName = seed.displayName;
    this.skus = seed.skus;
    for (const sku of seed.skus) {
      this.skuByPart.set(sku.skuPartNumber.toLowerCase(), sku);
      this.skuByPart.set(sku.skuId.toLowerCase(), sku);
    }
    this.consentedApps = new Set(seed.consentedApps);
    this.tenantCoexistenceMode = seed.tenantCoexistenceMode;
    for (const domain of seed.domains) this.domains.set(domain.id.toLowerCase(), domain);
    if (!this.domains.has(seed.domain.toLowerCase()))
      this.domains.set(seed.domain, { id: seed.domain, isVerified: true });
    this.telephony = new TelephonyState(this, seed);
    for (const user of seed.users) this.addUser(user);
    for (const group of seed.groups) {
      this.groups.set(group.id, {
        id: group.id,
        displayName: group.displayName,
        members: new Set(group.members),
      });
    }
  }

  /** Resolve licence names (part numbers or skuIds) to assignedLicenses; identical lists share one array. */
  licencesOf(names: SeedUser['licences']): EmUser['assignedLicenses'] {
    const key = JSON.stringify(names);
    const cached = this.licenceCache.get(key);
    if (cached) return cached;
    const resolved = names.map((entry) => {
      const name = typeof entry === 'string' ? entry : entry.sku;
      const sku = this.skuByPart.get(name.toLowerCase());
      if (!sku) throw new Error(`Unknown SKU "${name}" in tenant ${this.id}`);
      return { skuId: sku.skuId, disabledPlans: typeof entry === 'string' ? [] : entry.disabledPlans };
    });
    this.licenceCache.set(key, resolved);
    return resolved;
  }

  /** Add a user (seed or administrator); a Direct Routing number in the seed is assigned at once. */
  addUser(seed: SeedUser): EmUser {
    const user: EmUser = {
      id: seed.id,
      userPrincipalName: seed.userPrincipalName,
      displayName: seed.displayName,
      mail: seed.mail ?? seed.userPrincipalName,
      accountEnabled: seed.accountEnabled,
      usageLocation: seed.usageLocation,
      assignedLicenses: this.licencesOf(seed.licences),
      accountType: seed.accountType,
      coexistenceMode: seed.coexistenceMode,
      enterpriseVoice: seed.enterpriseVoice,
      voiceRoutingPolicy: seed.voiceRoutingPolicy,
      installedApps: [],
      createdDateTime: '2025-01-07T09:08:50Z',
      version: this.nextSequence(),
      createdVersion: 0,
      propertyVersions: {},
      teamsModifiedAt: Date.now(),
      directoryRoles: seed.directoryRoles,
    };
    user.createdVersion = user.version;
    this.users.set(user.id, user);
    this.upnIndex.set(user.userPrincipalName.toLowerCase(), user.id);
    this.tombstones.delete(user.id);
    if (seed.phoneNumber) this.telephony.bind(seed.phoneNumber, seed.numberType, user.id);
    if (seed.contacts.length > 0) this.contacts.set(user.id, seed.contacts);
    // Seeded users were last changed in Teams when they were created, not when the emulator started.
    user.teamsModifiedAt = Date.parse(user.createdDateTime);
    return user;
  }

  /** Users in a stable order (insertion), cached until the next change. */
  userList(): EmUser[] {
    if (this.listCache?.sequence !== this.sequence) {
      this.listCache = { sequence: this.sequence, users: [...this.users.values()] };
    }
    return this.listCache.users;
  }

  /** Find by object id or UPN. */
  findUser(idOrUpn: string): EmUser | undefined {
    return this.users.get(idOrUpn) ?? this.users.get(this.upnIndex.get(idOrUpn.toLowerCase()) ?? '');
  }

  /**
   * Record a directory change to a user so the next users delta returns it, with the Graph properties that
   * changed (a delta item then carries only those).
   */
  touch(user: EmUser, properties: readonly string[]): void {
    user.version = this.nextSequence();
    for (const property of properties) user.propertyVersions[property] = user.version;
  }

  /**
   * Record a Teams-side change (number, voice routing policy, enterprise voice, coexistence). Like Microsoft, it
   * is not a directory change: the users delta does not return it; the Teams configuration's modifiedDateTime does.
   */
  touchTeams(user: EmUser): void {
    user.teamsModifiedAt = Date.now();
  }

  /** Delete a user ("changed": soft-deleted; "deleted": permanently). Their numbers are released. */
  removeUser(id: string, reason: 'changed' | 'deleted'): boolean {
    const user = this.users.get(id);
    if (!user) return false;
    this.users.delete(id);
    this.upnIndex.delete(user.userPrincipalName.toLowerCase());
    this.telephony.releaseAll(id);
    for (const group of this.groups.values()) group.members.delete(id);
    this.tombstones.set(id, { id, reason, version: this.nextSequence() });
    return true;
  }

  nextSequence(): number {
    return this.sequence++;
  }

  /** Which plans a user's licences enable. */
  plansOf(user: EmUser): UserPlans {
    const plans: UserPlans = {
      teams: false,
      teamsPhone: false,
      callingPlan: false,
      audioConferencing: false,
    };
    for (const licence of user.assignedLicenses) {
      const sku = this.skuByPart.get(licence.skuId.toLowerCase());
      for (const plan of sku?.servicePlans ?? []) {
        if (licence.disabledPlans.includes(plan.servicePlanId)) continue;
        const name = plan.servicePlanName.toUpperCase();
        if (name.startsWith('TEAMS')) plans.teams = true;
        if (name.startsWith('MCOEV')) plans.teamsPhone = true;
        if (name.startsWith('MCOPSTN')) plans.callingPlan = true;
        if (name.startsWith('MCOMEETADV')) plans.audioConferencing = true;
      }
    }
    return plans;
  }

  /** How many users hold each SKU (consumedUnits). */
  consumedUnits(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const user of this.users.values()) {
      for (const licence of user.assignedLicenses)
        counts.set(licence.skuId, (counts.get(licence.skuId) ?? 0) + 1);
    }
    return counts;
  }

  /** Users in a group, nested groups expanded (cycles tolerated). */
  transitiveUserIds(groupId: string): string[] {
    const seen = new Set<string>();
    const users: string[] = [];
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const group = this.groups.get(id);
      if (group) {
        for (const member of group.members) visit(member);
      } else if (this.users.has(id)) {
        users.push(id);
      }
    };
    visit(groupId);
    return users;
  }

  /** Effective coexistence mode of a user. */
  effectiveMode(user: EmUser): Mode {
    return user.coexistenceMode ?? this.tenantCoexistenceMode;
  }
}
