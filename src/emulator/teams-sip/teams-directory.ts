import type { EmulatorState } from '../emulator.state.js';
import { externalCallDecision } from '../external-access.js';
import type { TenantState } from '../tenant.state.js';
import { normaliseNumber } from '../telephony.state.js';
import type { FederatedDecision } from './federation.js';

/** A Teams user the emulated proxy can ring or call from. */
export interface TeamsUserRef {
  tenantId: string;
  userId: string;
  displayName: string;
  number: string;
}

/** What the SIP emulator needs to know about the emulated tenants. */
export interface TeamsDirectory {
  /** The tenant that has this domain verified (the SBC's customer subdomain in the carrier model). */
  tenantOfDomain(domain: string): string | undefined;
  /** The user in a tenant with this number assigned. */
  userByNumber(tenantId: string, number: string): TeamsUserRef | undefined;
  /** The user with this object id (a transfer's `x-m=8:orgid:<id>`), when they have a number. */
  userById?(tenantId: string, userId: string): TeamsUserRef | undefined;
  /**
   * Where a Teams user's call to `toNumber` goes (Online Voice Routing: the user's policy, its PSTN usages, the
   * voice routes matching the number, their gateways), or why it goes nowhere. Absent in fixed directories.
   */
  routeCall?(
    fromNumber: string,
    toNumber: string,
  ): { user: TeamsUserRef; gateways: string[] } | { error: string };
  /**
   * A call from another organisation's domain to a person's SIP address (external access, issue 20): the user
   * (`number` is then their SIP address) or the status Teams answers and why. Absent: federation is not modelled.
   */
  federatedCall?(address: string, fromDomain: string): FederatedDecision;
}

/**
 * The Graph emulator's tenants as the SIP emulator's directory: domains from each tenant's domain list (verified
 * only), users by the numbers assigned to them, so the Teams users that ring are the emulated tenants' users.
 */
export function emulatorDirectory(state: EmulatorState): TeamsDirectory {
  return {
    tenantOfDomain(domain) {
      const wanted = domain.toLowerCase();
      for (const tenant of state.tenants.values()) {
        const entry = tenant.domains.get(wanted);
        if (entry?.isVerified) return tenant.id;
      }
      return undefined;
    },
    userByNumber(tenantId, number) {
      const tenant = state.tenants.get(tenantId);
      const assigned = tenant?.telephony.numbers.get(normaliseNumber(number));
      if (!tenant || !assigned?.assignmentTargetId) return undefined;
      const user = tenant.users.get(assigned.assignmentTargetId);
      if (!user) return undefined;
      return { tenantId, userId: user.id, displayName: user.displayName, number: assigned.telephoneNumber };
    },
    userById(tenantId, userId) {
      const tenant = state.tenants.get(tenantId);
      const user = tenant?.users.get(userId);
      if (!tenant || !user) return undefined;
      for (const assigned of tenant.telephony.numbers.values())
        if (assigned.assignmentTargetId === userId)
          return { tenantId, userId, displayName: user.displayName, number: assigned.telephoneNumber };
      return undefined;
    },
    routeCall(fromNumber, toNumber) {
      for (const tenant of state.tenants.values()) {
        const user = this.userByNumber(tenant.id, fromNumber);
        if (!user) continue;
        const gateways = gatewaysFor(tenant, user.userId, toNumber);
        if (gateways.length === 0)
          return {
            error: `no voice route of tenant ${tenant.domain} matches ${toNumber} for ${user.displayName} (run Sync on the service to create it)`,
          };
        return { user, gateways };
      }
      return { error: `no Teams user has the number ${fromNumber}` };
    },
    federatedCall(address, fromDomain) {
      const tenantId = this.tenantOfDomain(address.slice(address.lastIndexOf('@') + 1));
      const tenant = tenantId === undefined ? undefined : state.tenants.get(tenantId);
      if (!tenant) return { status: 404, why: `no tenant has the domain of ${address}` };
      const decision = externalCallDecision(tenant, address, fromDomain);
      if (!decision.allowed) return { status: decision.sipStatus, why: decision.message };
      const user = tenant.findUser(address)!;
      const ref = { tenantId: tenant.id, userId: user.id, displayName: user.displayName };
      return { user: { ...ref, number: user.userPrincipalName.toLowerCase() } };
    },
  };
}

/**
 * Online Voice Routing as Microsoft documents it: the user's voice routing policy (else Global) lists PSTN
 * usages in order; within each, the voice routes whose number pattern matches, by priority; their gateways.
 */
function gatewaysFor(tenant: TenantState, userId: string, toNumber: string): string[] {
  const telephony = tenant.telephony;
  const policyName = tenant.users.get(userId)?.voiceRoutingPolicy ?? 'Global';
  const usages = telephony.voiceRoutingPolicies.get(policyName)?.OnlinePstnUsages ?? [];
  const routes = [...telephony.voiceRoutes.values()] as {
    NumberPattern?: string;
    OnlinePstnGatewayList?: string[];
    OnlinePstnUsages?: string[];
    Priority?: number;
  }[];
  return usages.flatMap((usage) =>
    routes
      .filter((r) => r.OnlinePstnUsages?.includes(usage) && matches(r.NumberPattern, toNumber))
      .sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0))
      .flatMap((r) => r.OnlinePstnGatewayList ?? []),
  );
}

function matches(pattern: string | undefined, number: string): boolean {
  try {
    return new RegExp(pattern ?? '.*').test(number);
  } catch {
    return false;
  }
}

/** A fixed directory for tests and the bench: domain -> tenant, `tenant|number` -> user. */
export function staticDirectory(domains: Record<string, string>, users: TeamsUserRef[]): TeamsDirectory {
  return {
    tenantOfDomain: (domain) => domains[domain.toLowerCase()],
    userByNumber: (tenantId, number) =>
      users.find((u) => u.tenantId === tenantId && u.number === normaliseNumber(number)),
    userById: (tenantId, userId) => users.find((u) => u.tenantId === tenantId && u.userId === userId),
  };
}
