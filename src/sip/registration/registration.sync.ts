import type { RegistrationAgent } from './registration.agent.js';
import type { RegistrationConfig } from './registration.types.js';

/** What a sync did. */
export interface RegistrationSyncResult {
  /** Configurations handed to upsert (unchanged ones are no-ops inside the agent). */
  upserted: number;
  /** Users no longer configured, unregistered and forgotten. */
  removed: number;
}

/**
 * Make the agent hold exactly `configs`: upsert each (new, changed or unchanged alike) and remove every user the
 * list no longer has. The sip role can call this with all users of its PBX services after every change or poll of
 * the database; unchanged users cost a comparison, not a REGISTER.
 *
 * @example await syncRegistrations(agent, users.map(toRegistrationConfig));
 */
export async function syncRegistrations(
  agent: RegistrationAgent,
  configs: Iterable<RegistrationConfig>,
): Promise<RegistrationSyncResult> {
  const wanted = new Set<string>();
  let upserted = 0;
  for (const config of configs) {
    wanted.add(config.id);
    agent.upsert(config);
    upserted++;
  }
  const stale = agent.ids().filter((id) => !wanted.has(id));
  await Promise.all(stale.map((id) => agent.remove(id)));
  return { upserted, removed: stale.length };
}
