import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import type { SipServiceConfig } from '../../src/sip/registration/registration.types.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { settledMemory } from './memory.probe.js';
import { registrationConfigs, waitFor } from './bench-registrations.js';

/** Memory per registration held: held registrations against a trivial registrar in a child process. */
export async function measureHeldMemory(
  held: number,
  concurrency: number,
): Promise<{ heapBytesPer: number; rssBytesPer: number; seconds: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./mini-registrar.process.ts', import.meta.url).pathname],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const port = Number(
    await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
  );
  try {
    const stack = await SipStack.start({ host: '127.0.0.1' });
    const agent = new RegistrationAgent(
      stack,
      { onState: () => undefined },
      { ratePerSecond: 50_000, burst: concurrency, maxInFlight: concurrency },
    );
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: port,
      transport: 'udp',
      expirySeconds: 3600,
    };
    // Warm up (JIT-compiled code and grown pools belong to the baseline, not to each registration), then forget.
    const warmup = registrationConfigs(service, 2000, 'warmup');
    for (const config of warmup) agent.upsert(config);
    await waitFor(() => agent.stateCounts().registered === warmup.length, 60_000);
    await Promise.all(warmup.map((c) => agent.remove(c.id)));
    await waitFor(() => stack.clientTransactionCount === 0 && stack.absorbingCount === 0, 30_000);
    const before = await settledMemory();
    const started = performance.now();
    for (const config of registrationConfigs(service, held, 'held')) agent.upsert(config);
    await waitFor(() => agent.stateCounts().registered === held || agent.stateCounts().failed > 0, 600_000);
    if (agent.stateCounts().failed > 0) throw new Error(`${agent.stateCounts().failed} registrations failed`);
    const seconds = (performance.now() - started) / 1000;
    await waitFor(() => stack.clientTransactionCount === 0 && stack.absorbingCount === 0, 30_000); // after Timer K
    const after = await settledMemory();
    await agent.stop();
    await stack.stop();
    return {
      heapBytesPer: (after.heapUsed - before.heapUsed) / held,
      rssBytesPer: (after.rss - before.rss) / held,
      seconds,
    };
  } finally {
    child.kill('SIGTERM');
  }
}
