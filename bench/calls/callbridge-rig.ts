import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { B2bua } from '../../src/calls/b2bua.js';
import type { CallRecordInput } from '../../src/calls/call-record.types.js';
import { DEFAULT_CALL_SETTINGS, type CallUser } from '../../src/calls/call-user.js';
import { QueuedCallRecorder } from '../../src/calls/records/call-recorder.js';
import { CallRecordsRepository } from '../../src/calls/records/call-records.repository.js';
import { CallStats } from '../../src/calls/records/call-stats.js';
import { LiveCalls } from '../../src/calls/records/live-calls.js';
import { SignallingRanges } from '../../src/edge/edge.config.js';
import { TeamsEdge } from '../../src/edge/teams-edge.js';
import type { MediaRelay } from '../../src/media/media-relay.js';
import { contactToken } from '../../src/sip/registration/registration.record.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import type { TeamsPki } from '../../test/sip/support/teams-pki.js';
import { benchPbxService } from '../support/bench-tenant.fixture.js';

const PROXIES = ['sip', 'sip2', 'sip3'].map((n) => ({ host: `${n}.pstnhub.microsoft.com`, port: 5061 }));
const NUMBER = '+4930111';

/**
 * Callbridge's call path as `serve` builds it, for the calls bench: the SIP stack's UDP socket the PBX rings (sipp
 * plays the PBX and sends straight to the Contact registered for the user), the B2BUA, the given media relay, the
 * Teams edge over mutual TLS, and the real call recorder writing to a SQLite file (batched, as in production).
 * Microsoft's three proxies (the emulator) run in a child process (`teams-emulator.child.ts`), so this process's
 * CPU and heap are Callbridge's alone. Production timers (T1 500 ms).
 *
 * @example const rig = await startCallbridgeRig(pki, relay, dir); ... sipp to rig.target with service rig.service
 */
export async function startCallbridgeRig(pki: TeamsPki, relay: MediaRelay, dir: string) {
  const handle = openDatabase(`sqlite:${join(dir, `calls-${randomUUID()}.db`)}`);
  await migrateToLatest(handle.db);
  const store = new Store(handle);
  const { client, service } = await benchPbxService(store);
  const logger = pino({ level: 'warn' });
  const recorder = new QueuedCallRecorder(
    new CallRecordsRepository(handle.db),
    new LiveCalls(),
    new CallStats(),
    logger,
  );
  const box: { b2bua?: B2bua; ports?: number[]; onEnded?: (record: CallRecordInput) => void } = {};
  const userId = randomUUID();
  const user: CallUser = {
    userId,
    accountId: client.id,
    serviceId: service.id,
    number: NUMBER,
    customerFqdn: 'contoso.sbc.test',
    pbx: {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: 5060,
      transport: 'udp',
      sipUsername: 'alice',
      authUsername: 'alice',
      password: 'alice-secret-1',
    },
    settings: { ...DEFAULT_CALL_SETTINGS },
  };
  const stack = await SipStack.start({ host: '127.0.0.1' });
  const edge = await TeamsEdge.start({
    settings: {
      baseDomain: 'sbc.test',
      host: '127.0.0.1',
      signallingPort: 0,
      ...pki.sbc,
      caFile: pki.caFile,
      proxies: PROXIES,
      ranges: new SignallingRanges(['127.0.0.0/8']),
      sbcHeader: 'Callbridge/bench',
      optionsIntervalMs: 0,
      failoverAfterMs: 1500,
    },
    route: () => Promise.resolve({ kind: 'unknown-number' }),
    resolveProxy: (proxy) =>
      Promise.resolve({
        protocol: 'tls',
        address: '127.0.0.1',
        port: box.ports![PROXIES.findIndex((p) => p.host === proxy.host)]!,
        serverName: proxy.host,
      }),
  });
  const emulator = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'teams-emulator.child.ts'),
      JSON.stringify({ ...pki.microsoft, caFile: pki.caFile, number: NUMBER, edgePort: edge.port }),
    ],
    // stdin is a pipe only so that the child sees it close when this process ends, however it ends.
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: emulator.stdout })[Symbol.asyncIterator]();
  box.ports = (JSON.parse(String((await lines.next()).value)) as { ports: number[] }).ports;
  const errors: string[] = [];
  const token = contactToken(userId);
  const b2bua = B2bua.attach({
    stack,
    teams: edge,
    relay,
    recorder: {
      started: (call) => recorder.started(call),
      changed: (call) => recorder.changed(call),
      ended: (record) => {
        box.onEnded?.(record);
        recorder.ended(record);
      },
    },
    directory: { find: (id) => Promise.resolve(id === userId ? user : undefined) },
    userForContact: (contact) => (contact === token ? userId : undefined),
    contactTokenOf: (id) => contactToken(id),
    onError: (error, what) => void (errors.length < 20 && errors.push(`${what}: ${String(error)}`)),
  });
  box.b2bua = b2bua;
  const port = b2bua.pbx.options.transport.local('udp').port;
  return {
    b2bua,
    edge,
    recorder,
    errors,
    target: `127.0.0.1:${port}`,
    /** Sees every record as the B2BUA reports it (the delay measure reads its legs' Call-IDs). */
    set onEnded(hook: (record: CallRecordInput) => void) {
      box.onEnded = hook;
    },
    service: token,
    /** Stops the emulator (its heap and calls seen come back), the B2BUA, the edge and the stack. */
    async stop(): Promise<{ calls: number; heapUsed: number; rss: number }> {
      const peer = await stopChild(emulator, lines);
      await b2bua.stop();
      await edge.stop();
      await stack.stop();
      await recorder.close();
      await handle.close();
      return peer;
    },
  };
}

async function stopChild(
  child: ChildProcess,
  lines: AsyncIterator<string>,
): Promise<{ calls: number; heapUsed: number; rss: number }> {
  child.kill('SIGTERM');
  const line = await lines.next();
  return JSON.parse(String(line.value ?? '{"calls":0,"heapUsed":0,"rss":0}')) as {
    calls: number;
    heapUsed: number;
    rss: number;
  };
}
