import type { EmulatorState } from '../emulator.state.js';
import { normaliseNumber } from '../telephony.state.js';

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
  };
}

/** A fixed directory for tests and the bench: domain -> tenant, `tenant|number` -> user. */
export function staticDirectory(domains: Record<string, string>, users: TeamsUserRef[]): TeamsDirectory {
  return {
    tenantOfDomain: (domain) => domains[domain.toLowerCase()],
    userByNumber: (tenantId, number) =>
      users.find((u) => u.tenantId === tenantId && u.number === normaliseNumber(number)),
  };
}
