import type { Registry } from 'prom-client';
import type { AppContext } from '../app/context.js';
import { alsoLogged } from '../calls/log-call.recorder.js';
import { B2bua } from '../calls/b2bua.js';
import { TestCaller } from '../calls/test-call/test-caller.js';
import { storeCallUsers } from '../calls/store-call-users.js';
import { TrunkCalls } from '../calls/trunk/trunk-calls.js';
import { trunkDirectory, trunkUsersForSystem } from '../calls/trunk/trunk-directory.js';
import { TrunkRunner } from '../calls/trunk/trunk-runner.js';
import { sharedTrunkChannels } from '../calls/trunk/trunk-channels.js';
import { TrunkCallsRepository } from '../store/repositories/trunk-calls.repository.js';
import { registerTrunkMetrics } from '../calls/trunk/trunk.metrics.js';
import { carrierNamesOf } from '../services/sync/carrier-setup.js';
import { SipResolver } from '../sip/dns/sip.resolver.js';
import type { MediaRelay } from '../media/media-relay.js';
import type { VoiceService } from '../domain/records.js';
import { RegistrationAgent } from '../sip/registration/registration.agent.js';
import { registerSipMetrics } from '../sip/registration/registration.metrics.js';
import { contactToken } from '../sip/registration/registration.record.js';
import { syncRegistrations } from '../sip/registration/registration.sync.js';
import type { RegistrationConfig, SipServiceConfig } from '../sip/registration/registration.types.js';
import { SipStack } from '../sip/stack/sip.stack.js';
import { callRefusals } from './call-refusals.js';
import { PbxReachabilityWriter } from './pbx-reachability.writer.js';
import { RegistrationStatesWriter } from './registration-states.writer.js';
import { DEFAULT_LEASE_TIMING } from './sip-lease.keeper.js';
import { SipNode } from './sip-node.js';

/** How often the role reads the database for changed users and services, and flushes reported states. */
const RELOAD_MS = 5_000;
const FLUSH_MS = 1_000;

export interface SipRole {
  /** Reads users and services now (after a change made in this process), instead of at the next poll. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  readonly port: number;
  /** The B2BUA bridging calls on these sockets (issue 17), when the role was given a media relay. */
  readonly calls: B2bua | undefined;
}

/**
 * The sip role: registers every configured user of every PBX service to its PBX with the user's credentials,
 * and writes the states the agent reports to the users table (batched). Changes made through the API reach it
 * at the next reload (a few seconds), or at once when made in the same process.
 */
export async function startSipRole(
  ctx: AppContext,
  metrics?: Registry,
  media?: { relay: MediaRelay },
): Promise<SipRole> {
  const { config, store, secrets, logger } = ctx;
  const stack = await SipStack.start({
    host: config.sipHost,
    udpPort: config.sipPort,
    tcpPort: config.sipPort,
    ...(config.sipAdvertisedHost && { advertisedHost: config.sipAdvertisedHost }),
    inboundTcp: {
      idleMs: config.sipTcpIdleSeconds * 1000,
      maxPerAddress: config.sipTcpMaxPerAddress,
      maxInbound: config.sipTcpMaxConnections,
    },
  });
  const states = new RegistrationStatesWriter(store, logger);
  /**
   * Why a user is not registered or callable (no licence, disabled, suspended; `callRefusals` at every reload): PBX
   * users' registrations and calls and trunk users' calls are refused for the same reason.
   */
  let notCallable = new Map<string, string>();
  // Trunk services' carrier trunks (issue 19): their registrations share the agent, their calls the B2BUA.
  const trunks = new TrunkCalls({
    directory: trunkDirectory(store.handle.db),
    customerFqdnOf: (serviceId) => carrierNamesOf(serviceId, config.sbcDomain).domain,
    refusedBecause: (userId) => notCallable.get(userId),
  });
  const trunkRunner = new TrunkRunner(store, secrets, stack, new SipResolver(), trunks, logger);
  const reachability = new PbxReachabilityWriter(store, logger);
  const agent = new RegistrationAgent(
    stack,
    {
      onState: (id, status) => void (trunkRunner.report(id, status) || states.report(id, status)),
      onPbx: (key, health) => reachability.report(key, health),
    },
    { ratePerSecond: config.sipRegisterRate, probeIntervalMs: config.sipProbeSeconds * 1000 },
  );
  if (metrics) registerSipMetrics(metrics, agent, stack);
  if (metrics) registerTrunkMetrics(metrics, trunks, (id) => agent.status(id));
  // Several sip nodes on PostgreSQL share the users through leases; on SQLite this node keeps everyone.
  const node = SipNode.create(store, logger, stack, agent);
  // With several nodes, a trunk's channel limit holds across them (rows in trunk_calls, dead nodes' expire).
  if (node.keeper) {
    const repo = new TrunkCallsRepository(store.handle.db, store.handle.dialect);
    trunks.shareChannels(
      sharedTrunkChannels(repo, node.keeper.nodeId, DEFAULT_LEASE_TIMING.deadAfterMs, logger),
    );
  }
  /** The "Retry now" stamp last seen per user: a new one retries a failed registration. */
  const retrySeen = new Map<string, string | null>();
  // Calls ring the Contacts registered on this stack, so the B2BUA shares its sockets (issue 17).
  const calls = media
    ? B2bua.attach({
        stack,
        relay: media.relay,
        // Calls 3's records (stored, advised on, shown live as they start, change and end), and the log.
        recorder: alsoLogged(ctx.calls.recorder, logger.child({ component: 'calls' })),
        directory: storeCallUsers(ctx, (id) => notCallable.get(id)),
        userForContact: (token) => agent.userForContact(token),
        contactTokenOf: (id) => contactToken(id),
        trunks,
        teamsRefer: ctx.config.teamsRefer,
        onError: (error, what) => logger.error({ err: error }, what),
      })
    : undefined;
  // A platform operator ends a live call through the API (DELETE /live-calls/{id}) on the node that holds it.
  if (calls) ctx.services.calls.control = calls;
  // The Phone App tab's click-to-dial (issue 20) is placed by this B2BUA.
  if (calls) ctx.services.phoneAppCalls.dialler = calls.phoneApp;
  // "Test call" (user page): rings a user's Contact on this stack from the PBX side, so the B2BUA bridges it.
  const testCaller = calls ? await startTestCaller(stack, config.sipHost) : undefined;
  if (testCaller) ctx.services.testCalls.placer = testCaller;

  const load = async () => {
    const services = new Map<string, SipServiceConfig>();
    const byId = new Map((await store.repos.services.listAllForSystem()).map((s) => [s.id, s]));
    const configs: RegistrationConfig[] = [];
    const users = (await store.repos.users.listRegistrationsForSystem()).filter(
      (u) => byId.get(u.serviceId)?.kind === 'pbx',
    );
    // One rule for PBX users' registrations and calls and trunk users' calls (licence, tenant state, suspension).
    const trunkUsers = await trunkUsersForSystem(store.handle.db);
    notCallable = await callRefusals(store, [
      ...users.map((u) => ({ ...u, serviceKind: 'pbx' as const })),
      ...trunkUsers.map((u) => ({ ...u, serviceKind: 'trunk' as const, registrationEnabled: true })),
    ]);
    for (const user of users) {
      const service = byId.get(user.serviceId);
      if (!service) continue;
      const disabledReason = notCallable.get(user.id);
      configs.push({
        id: user.id,
        service: services.get(service.id) ?? remember(services, service),
        sipUsername: user.sipUsername,
        authUsername: user.authUsername ?? user.sipUsername,
        password: secrets.decrypt(user.passwordEnc),
        enabled: disabledReason === undefined,
        ...(disabledReason !== undefined && { disabledReason }),
      });
      states.own(user.id, {
        accountId: user.accountId,
        sipUsername: user.sipUsername,
        sipDomain: service.sipDomain,
      });
    }
    reachability.serviceTargets(services);
    await trunkRunner.load(byId);
    // Registration trunks are leased like users: exactly one live node registers each.
    const mine = await node.select([...configs, ...trunkRunner.registrations()]);
    trunkRunner.registering(mine);
    const result = await syncRegistrations(agent, mine);
    await node.settle();
    states.forgetAllBut(new Set(mine.map((c) => c.id)));
    for (const user of users) retryWhenAsked(user.id, user.retryRequestedAt);
    for (const id of retrySeen.keys()) if (!agent.status(id)) retrySeen.delete(id);
    logger.debug({ ...result }, 'registrations reloaded');
  };
  // One round at a time (the timer, API changes and a hand-over all call it): a lease round assumes it is alone
  // in this node. A call during a round gets the round after it (calls meanwhile share that one).
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    if (!current) return (current = load().finally(() => (current = undefined)));
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return reload();
      });
    return next;
  };
  /** A new "Retry now" stamp: retry; when the user is not failed, put its live state back over "pending". */
  const retryWhenAsked = (id: string, stamp: string | null) => {
    const seen = retrySeen.get(id);
    retrySeen.set(id, stamp);
    if (seen === undefined || stamp === null || stamp === seen) return;
    if (agent.retry(id)) return;
    const live = agent.status(id);
    if (live) states.report(id, live);
  };
  const safely = (work: () => Promise<void>, what: string) => () =>
    void work().catch((error: unknown) => logger.error({ err: error }, what));
  await reload();
  trunkRunner.pinger.start(config.sipProbeSeconds * 1000);
  void trunkRunner.pinger.pingAll();
  const reloadTimer = setInterval(safely(reload, 'registration reload failed'), RELOAD_MS);
  const heartbeatTimer = setInterval(
    safely(() => node.heartbeat(), 'sip node heartbeat failed'),
    DEFAULT_LEASE_TIMING.heartbeatMs,
  );
  const flushTimer = setInterval(
    safely(
      () => Promise.all([states.flush(), reachability.flush(), trunkRunner.flush()]).then(() => undefined),
      'registration state write failed',
    ),
    FLUSH_MS,
  );
  logger.info(
    { host: config.sipHost, port: config.sipPort, registrations: agent.ids().length },
    'sip role started',
  );
  return {
    port: config.sipPort,
    reload,
    calls,
    async stop() {
      clearInterval(reloadTimer);
      trunkRunner.pinger.stop();
      if (testCaller && ctx.services.testCalls.placer === testCaller)
        ctx.services.testCalls.placer = undefined;
      await testCaller?.stop();
      await calls?.stop(); // BYE both legs of every call before the registrations go
      const wait = config.sipShutdownSeconds;
      const deadline = Date.now() + wait * 1000; // hand-over and unregistering share the allowed time
      // Other live nodes take this node's users first (they register, then this node unregisters its binding).
      await node.handOver(reload, wait * 1000);
      clearInterval(heartbeatTimer);
      clearInterval(flushTimer);
      // Users holding a binding are unregistered; the others keep their state (a wrong password stays visible).
      const bound = new Set(['registered', 'expiring', 'unconfirmed']);
      const live = new Set(agent.ids().filter((id) => bound.has(agent.status(id)?.state ?? '')));
      logger.info({ users: live.size, maxSeconds: wait }, 'unregistering everyone before stopping');
      const started = Date.now();
      const { unfinished } = await agent.stop({
        unregister: wait > 0,
        timeoutMs: Math.max(0, deadline - Date.now()),
      });
      const late = new Set(unfinished);
      await states.flush();
      await states.stopped(
        [...live].filter((id) => !late.has(id)),
        [...live].filter((id) => late.has(id)),
        wait,
      );
      logger.info({ seconds: (Date.now() - started) / 1000 }, 'sip role stopped');
      await stack.stop();
    },
  };
}

/** The test caller, aimed at this stack's UDP socket (loopback when the stack listens on every address). */
function startTestCaller(stack: SipStack, host: string): Promise<TestCaller> {
  // The bound address, not the advertised one (that may be a name only the PBX resolves).
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const port = stack.local('udp').port;
  return TestCaller.start({
    target: { protocol: 'udp', address, port },
    contactOf: (userId) => `sip:${contactToken(userId)}@${address}:${port}`,
  });
}

function remember(services: Map<string, SipServiceConfig>, service: VoiceService): SipServiceConfig {
  // One shared object per service keeps per-registration memory small.
  const shared: SipServiceConfig = {
    sipDomain: service.sipDomain,
    transport: service.transport,
    expirySeconds: service.registrationExpiry,
    ...(service.proxyHost && { proxyHost: service.proxyHost }),
    ...(service.proxyPort && { proxyPort: service.proxyPort }),
  };
  services.set(service.id, shared);
  return shared;
}
