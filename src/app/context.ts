import { databaseUrlOf, publicUrlOf, type Config } from '../config/config.js';
import { limitHeapGrowth } from './heap-growth.js';
import type { Job } from '../domain/records.js';
import type { Logger } from '../observability/logger.js';
import { smtpMailer } from '../services/mailer.js';
import { LicencesService } from '../services/licences.service.js';
import { PhoneAppService } from '../services/phone-app.service.js';
import { TeamsAppPackageService } from '../services/phone-app/teams-app-package.service.js';
import { PhoneAppUserService } from '../services/phone-app/phone-app-user.service.js';
import { PhoneAppCallsService } from '../services/phone-app/phone-app-calls.service.js';
import { PhoneAppCallsRepository } from '../services/phone-app/phone-app-calls.repository.js';
import { OutlookContactsService } from '../services/phone-app/outlook-contacts.service.js';
import { TeamsSsoVerifier } from '../services/phone-app/teams-sso.verifier.js';
import { AccessService } from '../services/access.service.js';
import { AccountsService } from '../services/accounts.service.js';
import { AdministratorPasswordsService } from '../services/administrator-passwords.service.js';
import { AdministratorsService } from '../services/administrators.service.js';
import { InvitationsService } from '../services/invitations.service.js';
import { AuditService } from '../services/audit.service.js';
import { openSecretBox, type SecretBox } from '../services/secrets/secret-box.js';
import { SubscriptionsService } from '../services/subscriptions.service.js';
import { CarrierSetup } from '../services/sync/carrier-setup.js';
import { SyncRunner } from '../services/sync/sync.runner.js';
import { SyncScheduler, type SyncSchedulerOptions } from '../services/sync/sync.scheduler.js';
import { SYNC_JOB, SyncService } from '../services/sync/sync.service.js';
import { TENANT_OBJECTS_JOB, TenantObjectsRetry } from '../services/sync/tenant-objects.service.js';
import {
  TenantConnectionsService,
  graphClientFactory,
  type MicrosoftClientFactory,
} from '../services/tenant-connections.service.js';
import { NumberRangesService } from '../services/numbers/number-ranges.service.js';
import { ServiceNumbersService } from '../services/numbers/service-numbers.service.js';
import { SharedNumbersService } from '../services/numbers/shared-numbers.service.js';
import { RollbackService } from '../services/rollback.service.js';
import { UserImportService } from '../services/user-import.service.js';
import { UsersService } from '../services/users.service.js';
import { Worker, type WorkerOptions } from '../worker/worker.js';
import { VoiceServicesService } from '../services/voice-services.service.js';
import { secureDataDir } from '../store/data-dir.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../store/database.js';
import { Store } from '../store/store.js';
import { QueuedCallRecorder } from '../calls/records/call-recorder.js';
import { CallRecordsRepository } from '../calls/records/call-records.repository.js';
import { CallRecordsService } from '../calls/records/call-records.service.js';
import { callRetentionTask } from '../calls/records/call-retention.js';
import { CallStats } from '../calls/records/call-stats.js';
import { LiveCalls } from '../calls/records/live-calls.js';
import { TrunkSettingsService } from '../services/trunks/trunk-settings.service.js';
import { AlertsRepository } from '../alerts/alerts.repository.js';
import { AlertsService } from '../alerts/alerts.service.js';
import { ALERT_DELIVERY_JOB, AlertDispatcher } from '../alerts/alert-dispatcher.js';
import { alertDeliveryHandler } from '../alerts/alert-delivery.job.js';
import { AlertSubscriptionsService } from '../alerts/alert-subscriptions.service.js';
import { AlertsEvaluator } from '../alerts/alerts-evaluator.js';
import { SEND_DEFAULTS } from '../alerts/webhook/webhook-sender.js';
import { HepExporter, hepTargetOf } from '../calls/records/hep/hep-exporter.js';
import { AccountHealthService } from '../services/health/account-health.service.js';
import { HealthRepository } from '../services/health/health.repository.js';
import { ProviderHealthService } from '../services/health/provider-health.service.js';
import { TestCallsService } from '../calls/test-call/test-calls.service.js';

/** The use-cases, shared by the API, the CLI and the worker. */
export interface Services {
  access: AccessService;
  phoneApp: PhoneAppService;
  teamsAppPackage: TeamsAppPackageService;
  phoneAppUsers: PhoneAppUserService;
  licences: LicencesService;
  accounts: AccountsService;
  voiceServices: VoiceServicesService;
  users: UsersService;
  administrators: AdministratorsService;
  invitations: InvitationsService;
  passwords: AdministratorPasswordsService;
  audit: AuditService;
  tenantConnections: TenantConnectionsService;
  sync: SyncService;
  subscriptions: SubscriptionsService;
  userImport: UserImportService;
  rollback: RollbackService;
  numberRanges: NumberRangesService;
  serviceNumbers: ServiceNumbersService;
  sharedNumbers: SharedNumbersService;
  calls: CallRecordsService;
  /** The Phone App tab's calls (issue 20); its `dialler` is set by the sip role of the process. */
  phoneAppCalls: PhoneAppCallsService;
  /** The Phone App user's Outlook contacts through the on-behalf-of flow (issue 20). */
  phoneAppContacts: OutlookContactsService;
  trunkSettings: TrunkSettingsService;
  /** Alerts (Calls 3): open alerts for the health pages, history, subscriptions and deliveries. */
  alerts: AlertsService;
  alertSubscriptions: AlertSubscriptionsService;
  /** The account health page and the provider overview (issue 18). */
  accountHealth: AccountHealthService;
  providerHealth: ProviderHealthService;
  /** "Test call" on the user page (issue 17): placed by this process's sip role, progress kept in memory. */
  testCalls: TestCallsService;
}

/** Signals between roles of one process (set by `serve`; no-ops otherwise). */
export interface AppHooks {
  /** Users' SIP settings changed: the SIP role re-reads them at once instead of at its next poll. */
  registrationsChanged(): void;
}

/** Everything a role needs, built once per process from the configuration (the composition root). */
export interface AppContext {
  config: Config;
  logger: Logger;
  store: Store;
  secrets: SecretBox;
  services: Services;
  hooks: AppHooks;
  /** Call records (Calls 3): the recorder the B2BUA reports to, the live view and the counters of this node. */
  calls: {
    recorder: QueuedCallRecorder;
    live: LiveCalls;
    stats: CallStats;
    repository: CallRecordsRepository;
  };
  /** Alerts (Calls 3): the evaluator the scheduler, the sync jobs and the Teams edge report to. */
  alerts: { evaluator: AlertsEvaluator };
  /** A worker bound to this context's job handlers (started by the worker role, drained by the CLI). */
  createWorker(options?: WorkerOptions): Worker;
  /** The worker role's scheduler: interval syncs and retries of pending tenant objects. */
  createScheduler(options?: SyncSchedulerOptions): SyncScheduler;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it unless told not to), loads the secret key and wires the services.
 *
 * @example const app = await createAppContext(config, logger); await app.services.accounts.list();
 */
export async function createAppContext(
  config: Config,
  logger: Logger,
  options: { migrate?: boolean; handle?: DatabaseHandle; microsoftClients?: MicrosoftClientFactory } = {},
): Promise<AppContext> {
  limitHeapGrowth();
  secureDataDir(config.dataDir);
  const handle = options.handle ?? openDatabase(databaseUrlOf(config));
  if (options.migrate !== false) {
    const applied = await migrateToLatest(handle.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  }
  const store = new Store(handle);
  const secrets = openSecretBox({ secretKey: config.secretKey, dataDir: config.dataDir });
  const hooks: AppHooks = { registrationsChanged: () => undefined };
  const registrationsChanged = () => hooks.registrationsChanged();
  const access = new AccessService(store);
  const licences = new LicencesService(store, access);
  const tenantConnections = new TenantConnectionsService(
    store,
    secrets,
    options.microsoftClients ?? graphClientFactory,
    access,
    {
      clientId: config.microsoftClientId,
      clientSecret: config.microsoftClientSecret,
      demo: config.demo,
      allowedOrigins: config.microsoftAllowedEndpoints,
    },
  );
  const carrier = new CarrierSetup(store, config.sbcDomain);
  const sync = new SyncService(
    store,
    new SyncRunner(store, tenantConnections, carrier, {
      teamsAppId: config.phoneAppTeamsAppId,
      domain: config.phoneAppDomain,
    }),
    access,
  );
  const administrators = new AdministratorsService(store, access, {
    lockAfter: config.signInLockAfter,
    lockMinutes: config.signInLockMinutes,
  });
  const invitations = new InvitationsService(
    store,
    access,
    administrators,
    publicUrlOf(config),
    config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : undefined,
  );
  const callRecords = new CallRecordsRepository(handle.db);
  const liveCalls = new LiveCalls();
  const callStats = new CallStats();
  const hep = config.hepUrl
    ? new HepExporter(hepTargetOf(config.hepUrl), {
        captureId: config.hepCaptureId,
        authKey: config.hepAuthKey,
      })
    : undefined;
  const recorder = new QueuedCallRecorder(callRecords, liveCalls, callStats, logger, {
    ladderMaxBytes: 256 * 1024,
    ...(hep && { ladderExport: hep }),
  });
  const alertsRepo = new AlertsRepository(handle.db);
  const alertPolicy = { allowLoopback: config.alertWebhookAllowLoopback };
  const alertDispatcher = new AlertDispatcher(store, logger);
  const alertsEvaluator = new AlertsEvaluator(store, alertsRepo, alertDispatcher, logger, {
    registrationFailedShare: config.alertRegistrationFailedShare,
  });
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : undefined;
  const health = new HealthRepository(handle.db);
  const callRecordsService = new CallRecordsService(store, access, callRecords, liveCalls, {
    sbcDomain: config.sbcDomain,
    phoneAppDomain: config.phoneAppDomain,
  });
  const services: Services = {
    tenantConnections,
    sync,
    access,
    subscriptions: new SubscriptionsService(store, access),
    licences,
    phoneApp: new PhoneAppService(store, access, tenantConnections, secrets, {
      clientId: config.phoneAppClientId,
      domain: config.phoneAppDomain,
    }),
    teamsAppPackage: new TeamsAppPackageService(store, access, new AccountsService(store, access), {
      teamsAppId: config.phoneAppTeamsAppId,
      clientId: config.phoneAppClientId,
      publicUrl: publicUrlOf(config),
    }),
    phoneAppUsers: new PhoneAppUserService(
      store,
      new TeamsSsoVerifier(store, {
        clientId: config.phoneAppClientId,
        publicUrl: publicUrlOf(config),
        demo: config.demo,
        allowedOrigins: config.microsoftAllowedEndpoints,
      }),
    ),
    phoneAppCalls: new PhoneAppCallsService(callRecords, new PhoneAppCallsRepository(handle.db), (error) =>
      logger.error({ err: error }, 'phone app calls: progress for other nodes'),
    ),
    phoneAppContacts: new OutlookContactsService(store, {
      clientId: config.phoneAppClientId,
      clientSecret: config.phoneAppClientSecret,
      demo: config.demo,
      allowedOrigins: config.microsoftAllowedEndpoints,
    }),
    userImport: new UserImportService(store, secrets, access, licences, registrationsChanged),
    rollback: new RollbackService(store, access, licences, sync, registrationsChanged),
    accounts: new AccountsService(store, access),
    voiceServices: new VoiceServicesService(store, access, registrationsChanged),
    users: new UsersService(store, secrets, access, licences, registrationsChanged),
    administrators,
    invitations,
    passwords: new AdministratorPasswordsService(store, access, administrators),
    audit: new AuditService(store, access),
    numberRanges: new NumberRangesService(store, access),
    serviceNumbers: new ServiceNumbersService(store, access),
    sharedNumbers: new SharedNumbersService(store, access),
    trunkSettings: new TrunkSettingsService(store, secrets, access, registrationsChanged),
    alerts: new AlertsService(store, access, alertsRepo),
    alertSubscriptions: new AlertSubscriptionsService(store, access, secrets, alertDispatcher, alertPolicy),
    accountHealth: new AccountHealthService(store, access, health, config.sbcDomain),
    providerHealth: new ProviderHealthService(store, access, health),
    calls: callRecordsService,
    testCalls: new TestCallsService(store, access, callRecordsService, () => recorder.flush()),
  };
  const objectsRetry = new TenantObjectsRetry(store, tenantConnections, carrier, logger);
  const handlers = {
    [SYNC_JOB]: async (job: Job, heartbeat: (progress: Record<string, unknown>) => Promise<void>) => {
      const result = await sync.runJob(job, heartbeat);
      // The run's outcome is an alert event: judge its account now rather than at the next scheduler pass.
      if (job.accountId)
        await alertsEvaluator
          .evaluate(new Date(), [job.accountId])
          .catch((error: unknown) => logger.error({ err: error }, 'alert evaluation after a sync failed'));
      return result;
    },
    [TENANT_OBJECTS_JOB]: (job: Job) => objectsRetry.runJob(job),
    [ALERT_DELIVERY_JOB]: alertDeliveryHandler(store, secrets, {
      ...SEND_DEFAULTS,
      ...alertPolicy,
      mailer,
      publicUrl: publicUrlOf(config),
    }),
  };
  const createWorker = (workerOptions?: WorkerOptions) =>
    new Worker(store.repos.jobs, handlers, logger, {
      leaseMs: config.jobLeaseSeconds * 1000,
      ...workerOptions,
    });
  const createScheduler = (schedulerOptions?: SyncSchedulerOptions) =>
    new SyncScheduler(store, sync, logger, {
      tasks: [
        objectsRetry.queueDue,
        alertsEvaluator.task,
        callRetentionTask(
          callRecords,
          {
            recordDays: config.callRecordRetentionDays,
            ladderDays: config.callLadderRetentionDays,
            ladderMaxBytes: config.callLadderStorageMb * 1024 * 1024,
          },
          logger,
        ),
      ],
      ...schedulerOptions,
    });
  return {
    config,
    logger,
    store,
    secrets,
    services,
    hooks,
    calls: { recorder, live: liveCalls, stats: callStats, repository: callRecords },
    alerts: { evaluator: alertsEvaluator },
    createWorker,
    createScheduler,
    async close() {
      await recorder.close();
      hep?.close();
      await handle.close();
    },
  };
}
