/**
 * Issue 22 "Measure": how long a clean stop (SIGTERM) of a real `callbridge serve --roles sip` takes to unregister
 * every user from Kamailio, for 2,000 and 10,000 users at the default REGISTER rate (200/s) and at 1,000/s.
 * Each run: fresh installation, serve registers everyone, SIGTERM, time to exit, bindings left at Kamailio.
 *
 *   node --import tsx bench/sip-shutdown.bench.ts [--users 2000,10000] [--rates 200,1000]
 *
 * Prints a summary and one JSON line: {"bench":"sip-shutdown", ...}.
 */
import { rm } from 'node:fs/promises';
import { freePort, Kamailio, kamailioInstalled } from '../test/sip/support/kamailio.js';
import { prepareInstallation, startServe } from '../test/sip/support/serve-process.js';

const list = (name: string, fallback: number[]): number[] => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]!.split(',').map(Number) : fallback;
};
const SIZES = list('users', [2000, 10_000]);
const RATES = list('rates', [200, 1000]);

interface Run {
  users: number;
  rate: number;
  registerSeconds: number;
  shutdownSeconds: number;
  exitCode: number | string;
  leftAtKamailio: number;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: timed out`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function measure(users: number, rate: number): Promise<Run> {
  const kamailio = await Kamailio.start({
    users: Array.from({ length: users }, (_, n) => ({ username: `u${n}`, password: `pw${n}` })),
    shmMb: 128,
  });
  const installation = await prepareInstallation(kamailio, users);
  const serve = startServe({
    ...installation.env,
    CALLBRIDGE_LOG_LEVEL: 'warn',
    CALLBRIDGE_SIP_PORT: String(await freePort()),
    CALLBRIDGE_SIP_REGISTER_RATE: String(rate),
    CALLBRIDGE_SIP_SHUTDOWN_SECONDS: '600',
  });
  try {
    const started = Date.now();
    const registered = () => kamailio.statistic('registered_users');
    await until(
      async () => (await registered()) === users,
      (users / rate) * 3000 + 60_000,
      'registered',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; serve said:\n${serve.output().slice(-2000)}`, { cause: error });
    });
    const registerSeconds = (Date.now() - started) / 1000;
    const stopping = Date.now();
    serve.child.kill('SIGTERM');
    const exitCode = await serve.exited;
    const shutdownSeconds = (Date.now() - stopping) / 1000;
    return { users, rate, registerSeconds, shutdownSeconds, exitCode, leftAtKamailio: await registered() };
  } finally {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await kamailio.dispose();
    await rm(installation.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!kamailioInstalled()) {
    console.log('sip-shutdown bench skipped: kamailio not installed');
    return;
  }
  const runs: Run[] = [];
  for (const users of SIZES) for (const rate of RATES) runs.push(await measure(users, rate));
  console.log(
    '\nClean stop (SIGTERM) of callbridge serve --roles sip, Kamailio on loopback, UDP, digest MD5',
  );
  for (const r of runs)
    console.log(
      `  ${String(r.users).padStart(6)} users at ${String(r.rate).padStart(4)}/s: registered in ${r.registerSeconds.toFixed(1)} s, ` +
        `stopped in ${r.shutdownSeconds.toFixed(1)} s (exit ${r.exitCode}), ${r.leftAtKamailio} left bound at Kamailio`,
    );
  console.log(JSON.stringify({ bench: 'sip-shutdown', runs }));
}

await main();
