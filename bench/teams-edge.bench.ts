/**
 * Issue 16 "Measure": TLS OPTIONS and INVITE transactions per second through our stack against the Teams SIP
 * emulator, and memory per idle mutual-TLS connection. Edge and emulator share this one process (and its event
 * loop), so the rates are the cost of both ends of each transaction together.
 *
 *   node --expose-gc --import tsx bench/teams-edge.bench.ts [--options 5000] [--calls 1000] [--idle 500]
 *
 * Prints a summary and one JSON line: {"bench":"teams-edge", ...}.
 */
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { staticDirectory } from '../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../src/emulator/teams-sip/teams-sip.emulator.js';
import { SignallingRanges } from '../src/edge/edge.config.js';
import { TeamsEdge } from '../src/edge/teams-edge.js';
import { SipHeaders } from '../src/sip/message/sip-headers.js';
import { randomToken, type SipRequest } from '../src/sip/message/sip-message.js';
import { createTeamsPki } from '../test/sip/support/teams-pki.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const OPTIONS = arg('options', 5000);
const CALLS = arg('calls', 1000);
const IDLE = arg('idle', 500);
const CONCURRENCY = 50;
const ADELE = { tenantId: 't1', userId: 'u1', displayName: 'Adele', number: '+4930111' };
const SDP = Buffer.from(
  'v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0 8\r\n',
);

async function pool(count: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const pki = await createTeamsPki();
const box: { edge?: TeamsEdge } = {};
const teams = await TeamsSipEmulator.start({
  host: '127.0.0.1',
  ...pki.microsoft,
  caFile: pki.caFile,
  directory: staticDirectory({ 'contoso.sbc.test': 't1' }, [ADELE]),
  sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: box.edge!.port }),
});
const edge = (box.edge = await TeamsEdge.start({
  settings: {
    baseDomain: 'sbc.test',
    host: '127.0.0.1',
    signallingPort: 0,
    ...pki.sbc,
    caFile: pki.caFile,
    proxies: [{ host: 'sip.pstnhub.microsoft.com', port: 5061 }],
    ranges: new SignallingRanges(['127.0.0.0/8']),
    sbcHeader: 'Callbridge/Edge/bench',
    optionsIntervalMs: 0,
    failoverAfterMs: 10_000,
  },
  route: () => Promise.resolve({ kind: 'unknown-host' }),
  resolveProxy: (proxy) =>
    Promise.resolve({ protocol: 'tls', address: '127.0.0.1', port: teams.port, serverName: proxy.host }),
}));

const target = {
  protocol: 'tls' as const,
  address: '127.0.0.1',
  port: teams.port,
  serverName: 'sip.pstnhub.microsoft.com',
};
const options = (): SipRequest => {
  const headers = new SipHeaders()
    .append('From', `<sip:sbc.test:5061;transport=tls>;tag=${randomToken(10)}`)
    .append('To', '<sip:sip.pstnhub.microsoft.com>')
    .append('Call-ID', randomToken(20))
    .append('CSeq', '1 OPTIONS')
    .append('Contact', '<sip:sbc.test:5061;transport=tls>');
  return {
    kind: 'request',
    method: 'OPTIONS',
    uri: 'sip:sip.pstnhub.microsoft.com:5061;transport=tls',
    headers,
    body: Buffer.alloc(0),
  };
};
await edge.endpoint.request(options(), { target }); // connect once
const optionsPerSecond = await pool(OPTIONS, async () => {
  const response = await edge.endpoint.request(options(), { target });
  if (response.status !== 200) throw new Error(`OPTIONS got ${response.status}`);
});

teams.setBehaviour(ADELE.number, { devices: 2, earlyMedia: true });
const callsPerSecond = await pool(CALLS, async () => {
  const result = await edge.callTeams({
    customerFqdn: 'contoso.sbc.test',
    from: '+4930999',
    to: ADELE.number,
    sdp: SDP,
  });
  if (result.outcome.kind !== 'answered')
    throw new Error(`call: ${result.attempts.map((a) => a.result).join(',')}`);
  await edge.endpoint.dialogs.bye(result.outcome.dialog);
});

// Idle connections: mutual-TLS clients to the edge's listener; the heap and RSS growth of this process (both ends).
const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
};
await settle();
const before = process.memoryUsage();
const tlsClient = {
  ca: readFileSync(pki.caFile),
  cert: readFileSync(pki.microsoft.certFile),
  key: readFileSync(pki.microsoft.keyFile),
};
const sockets = [];
for (let i = 0; i < IDLE; i++) {
  sockets.push(
    await new Promise<ReturnType<typeof connect>>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: edge.port, servername: 'sbc.test', ...tlsClient });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    }),
  );
}
await settle();
const after = process.memoryUsage();
const perConnection = {
  heapBytes: Math.round((after.heapUsed - before.heapUsed) / IDLE),
  rssBytes: Math.round((after.rss - before.rss) / IDLE),
};
for (const socket of sockets) socket.destroy();

const result = {
  bench: 'teams-edge',
  optionsPerSecond: Math.round(optionsPerSecond),
  callsPerSecond: Math.round(callsPerSecond),
  idleConnections: IDLE,
  perIdleConnectionBothEnds: perConnection,
  serverConnections: edge.transport.connectionCount,
};
console.log(
  `TLS OPTIONS transactions: ${result.optionsPerSecond}/s (concurrency ${CONCURRENCY}, ${OPTIONS})`,
);
console.log(
  `calls (INVITE, 100, 2x180, 183, 200 from another fork, ACK, BYE): ${result.callsPerSecond}/s (${CALLS})`,
);
console.log(
  `idle mutual-TLS connection, both ends: ${perConnection.heapBytes} B heap, ${perConnection.rssBytes} B RSS`,
);
console.log(JSON.stringify(result));
await edge.stop();
await teams.stop();
await pki.remove();
