/**
 * Microsoft's three Direct Routing proxies (the Teams SIP emulator) in a process of their own, so the calls bench
 * measures Callbridge's CPU and memory apart from its test peer's (Microsoft is not on our machine either).
 * Prints one JSON line `{ports: [sip, sip2, sip3]}` when listening; answers Alice's number on one device, no early
 * media; prints `{calls, heapUsed, rss}` and exits on SIGTERM.
 *
 * Usage: node --import tsx bench/calls/teams-emulator.child.ts '<json: {caFile, certFile, keyFile, number, edgePort}>'
 */
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';

const config = JSON.parse(process.argv[2] ?? '{}') as {
  caFile: string;
  certFile: string;
  keyFile: string;
  number: string;
  edgePort: number;
};
const user = { tenantId: 't1', userId: 'teams-alice', displayName: 'Alice', number: config.number };
const proxies: TeamsSipEmulator[] = [];
for (let i = 0; i < 3; i++) {
  const proxy = await TeamsSipEmulator.start({
    host: '127.0.0.1',
    certFile: config.certFile,
    keyFile: config.keyFile,
    caFile: config.caFile,
    directory: staticDirectory({ 'contoso.sbc.test': 't1' }, [user]),
    sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: config.edgePort }),
  });
  proxy.setBehaviour(config.number, { devices: 1, earlyMedia: false });
  proxies.push(proxy);
}
process.stdout.write(`${JSON.stringify({ ports: proxies.map((p) => p.port) })}\n`);

// The emulator keeps every call it saw (its control API lists them); a bench run is thousands: forget ended ones
// now and then so the peer does not slow down as its list grows (its look-ups are by scanning the list).
setInterval(() => {
  for (const proxy of proxies) {
    const live = proxy.calls.filter((call) => call.dialog !== undefined || call.status === undefined);
    proxy.calls.splice(0, proxy.calls.length, ...live);
  }
}, 2000).unref();

// The bench's end closes our stdin (a crashed bench sends no SIGTERM): leave with it.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

process.on('SIGTERM', () => {
  const calls = proxies.reduce((sum, p) => sum + p.calls.length, 0);
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ calls, heapUsed, rss })}\n`);
  void Promise.all(proxies.map((p) => p.stop())).then(() => process.exit(0));
});
