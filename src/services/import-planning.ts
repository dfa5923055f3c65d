/**
 * Reading an import file and planning it against the account's users, as one pure step that runs on the import
 * worker thread (see csv-reader.ts): the lookups the plan needs are built there from plain user records.
 */
import { planImport, readImportFile, type ImportPlan, type ImportUser } from '../domain/csv/index.js';
import { indexHolders, type NumberHolder } from '../domain/numbers/number-assignment.js';
import type { NumberRange } from '../domain/numbers/number-range.js';
import type { NumberServiceKind } from '../domain/numbers/index.js';

/** A user of the account as the plan needs it; plain data, so it can cross to the worker thread. */
export interface PlanningUser extends ImportUser {
  serviceId: string;
  upn: string | null;
  usageLocation: string | null;
}

/** Everything but the users: the file and the service it is imported into. */
export interface PlanningRequest {
  file: Uint8Array | string;
  serviceId: string;
  serviceKind: NumberServiceKind;
  defaultCountry: string | null;
  /** Trunk services: the ranges and the service numbers (shared caller IDs). */
  trunk?: { ranges: NumberRange[]; serviceNumbers: string[] };
}

/**
 * Read and plan an import file against every user of the account (any service: numbers are unique per account).
 * @example planImportFile(request, users).ok
 */
export function planImportFile(request: PlanningRequest, everyone: readonly PlanningUser[]): ImportPlan {
  const ofService = new Map<string, PlanningUser>();
  const sipHolders = new Map<string, PlanningUser>();
  for (const user of everyone) {
    if (user.serviceId !== request.serviceId) continue;
    ofService.set(user.email.toLowerCase(), user);
    if (user.upn) ofService.set(user.upn.toLowerCase(), user);
    if (user.sipUsername) sipHolders.set(user.sipUsername.toLowerCase(), user);
  }
  const holders = indexHolders(everyone.flatMap(holderOf));
  const read = readImportFile(request.file, {
    serviceKind: request.serviceKind,
    defaultCountry: request.defaultCountry,
    countryOf: (email) => ofService.get(email)?.usageLocation ?? null,
  });
  return planImport(read, {
    serviceKind: request.serviceKind,
    findUser: (email) => ofService.get(email.toLowerCase()),
    findNumberHolder: holders,
    findSipUsernameHolder: (name) => sipHolders.get(name.toLowerCase()),
    ...(request.trunk && {
      ranges: request.trunk.ranges,
      serviceNumbers: new Set(request.trunk.serviceNumbers),
    }),
  });
}

function holderOf(user: PlanningUser): NumberHolder[] {
  if (!user.phoneNumber) return [];
  return [
    {
      id: user.id,
      kind: user.kind === 'resource_account' ? 'resource_account' : 'user',
      displayName: user.displayName,
      email: user.email,
      e164: user.phoneNumber,
      ...(user.extension && { extension: user.extension }),
    },
  ];
}
