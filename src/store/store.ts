import type { Kysely } from 'kysely';
import type { DatabaseHandle, Dialect } from './database.js';
import type { Database } from './schema.js';
import { AccessRepository } from './repositories/access.repository.js';
import { AccountsRepository } from './repositories/accounts.repository.js';
import { AdministratorsRepository } from './repositories/administrators.repository.js';
import { AuditRepository } from './repositories/audit.repository.js';
import { JobsRepository } from './repositories/jobs.repository.js';
import { NumberRangesRepository } from './repositories/number-ranges.repository.js';
import { ServiceNumbersRepository } from './repositories/service-numbers.repository.js';
import { ServicesRepository } from './repositories/services.repository.js';
import { PbxReachabilityRepository } from './repositories/pbx-reachability.repository.js';
import { SipLeasesRepository } from './repositories/sip-leases.repository.js';
import { SyncCursorsRepository } from './repositories/sync-cursors.repository.js';
import { SyncRunsRepository } from './repositories/sync-runs.repository.js';
import { SubscriptionsRepository } from './repositories/subscriptions.repository.js';
import { ConsentRequestsRepository } from './repositories/consent-requests.repository.js';
import { TenantConnectionsRepository } from './repositories/tenant-connections.repository.js';
import { TenantObjectsRepository } from './repositories/tenant-objects.repository.js';
import { TrunkSettingsRepository } from './repositories/trunk-settings.repository.js';
import { UsersRepository } from './repositories/users.repository.js';
import { AlertSubscriptionsRepository } from '../alerts/alert-subscriptions.repository.js';

/** Every repository, bound to one connection or one transaction. */
export interface Repositories {
  accounts: AccountsRepository;
  subscriptions: SubscriptionsRepository;
  tenantConnections: TenantConnectionsRepository;
  consentRequests: ConsentRequestsRepository;
  services: ServicesRepository;
  users: UsersRepository;
  jobs: JobsRepository;
  audit: AuditRepository;
  administrators: AdministratorsRepository;
  syncRuns: SyncRunsRepository;
  access: AccessRepository;
  numberRanges: NumberRangesRepository;
  serviceNumbers: ServiceNumbersRepository;
  syncCursors: SyncCursorsRepository;
  tenantObjects: TenantObjectsRepository;
  pbxReachability: PbxReachabilityRepository;
  sipLeases: SipLeasesRepository;
  trunkSettings: TrunkSettingsRepository;
  alertSubscriptions: AlertSubscriptionsRepository;
}

function repositoriesOf(db: Kysely<Database>, dialect: Dialect): Repositories {
  return {
    accounts: new AccountsRepository(db),
    subscriptions: new SubscriptionsRepository(db),
    tenantConnections: new TenantConnectionsRepository(db),
    consentRequests: new ConsentRequestsRepository(db),
    services: new ServicesRepository(db),
    users: new UsersRepository(db, dialect),
    jobs: new JobsRepository(db, dialect),
    audit: new AuditRepository(db),
    administrators: new AdministratorsRepository(db),
    syncRuns: new SyncRunsRepository(db),
    access: new AccessRepository(db),
    numberRanges: new NumberRangesRepository(db, dialect),
    serviceNumbers: new ServiceNumbersRepository(db),
    syncCursors: new SyncCursorsRepository(db),
    tenantObjects: new TenantObjectsRepository(db),
    pbxReachability: new PbxReachabilityRepository(db),
    sipLeases: new SipLeasesRepository(db, dialect),
    trunkSettings: new TrunkSettingsRepository(db),
    alertSubscriptions: new AlertSubscriptionsRepository(db),
  };
}

/**
 * The store the services use: repositories for single reads and writes, and `transaction` for a write that
 * touches several tables (all or nothing).
 *
 * @example await store.transaction(async (tx) => { await tx.users.create(u); await tx.audit.append(e); });
 */
export class Store {
  readonly repos: Repositories;

  constructor(readonly handle: DatabaseHandle) {
    this.repos = repositoriesOf(handle.db, handle.dialect);
  }

  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.handle.db.transaction().execute((trx) => work(repositoriesOf(trx, this.handle.dialect)));
  }
}
