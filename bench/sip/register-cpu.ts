/**
 * CPU per initial registration of our agent alone, against the in-repo digest registrar in a child process (so
 * its CPU is not counted), with T1 raised so that nothing is retransmitted: what `sip-register` measures for our
 * side, without Kamailio and sipp, for profiling (issue 21).
 *
 *   node --import tsx bench/sip/register-cpu.ts [--users 10000] [--rounds 4] [--concurrency 200]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/sip/register-cpu.ts --rounds 2
 *
 * Prints one line per round (user and system microseconds per registration) and one JSON line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import type { SipServiceConfig } from '../../src/sip/registration/registration.types.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { registrationConfigs, waitFor } from './bench-registrations.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const USERS = arg('users', 10_000);
const ROUNDS = arg('rounds', 4);
const CONCURRENCY = arg('concurrency', 200);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('./mini-registrar.process.ts', import.meta.url).pathname],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const port = Number(
  await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
);
const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 4000, t2: 8000 } });
let registered = 0;
const agent = new RegistrationAgent(
  stack,
  { onState: (_id, s) => void (s.state === 'registered' && registered++) },
  { ratePerSecond: 50_000, burst: CONCURRENCY, maxInFlight: CONCURRENCY },
);
const service: SipServiceConfig = {
  sipDomain: 'pbx.test',
  proxyHost: '127.0.0.1',
  proxyPort: port,
  transport: 'udp',
  expirySeconds: 3600,
};
const rounds: { userUs: number; systemUs: number }[] = [];
try {
  for (let round = 0; round <= ROUNDS; round++) {
    const batch = registrationConfigs(service, round === 0 ? 2000 : USERS, `r${round}`); // round 0: warm-up, not counted
    registered = 0;
    const before = process.cpuUsage();
    for (const config of batch) agent.upsert(config);
    await waitFor(() => registered === batch.length || agent.stateCounts().failed > 0, 300_000);
    const cpu = process.cpuUsage(before);
    if (agent.stateCounts().failed > 0) throw new Error(`${agent.stateCounts().failed} registrations failed`);
    if (round === 0) continue;
    rounds.push({ userUs: cpu.user / batch.length, systemUs: cpu.system / batch.length });
    const last = rounds.at(-1)!;
    console.log(
      `round ${round}: ${batch.length} registrations, user ${last.userUs.toFixed(1)} us + system ` +
        `${last.systemUs.toFixed(1)} us = ${(last.userUs + last.systemUs).toFixed(1)} us CPU each`,
    );
  }
  const totals = rounds.map((r) => r.userUs + r.systemUs).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'sip-register-cpu',
      users: USERS,
      rounds: ROUNDS,
      retransmissions: stack.counters.retransmissions,
      bestCpuUsPerRegistration: Math.round(totals[0]! * 10) / 10,
      medianCpuUsPerRegistration: Math.round(totals[Math.floor(totals.length / 2)]! * 10) / 10,
    }),
  );
} finally {
  await agent.stop();
  await stack.stop();
  child.kill('SIGTERM');
}
