import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One REGISTER with digest after a 401, per injected user (field0 SIP user, field1 authentication). */
const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register-digest">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[field2] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[field0]@[field2]>;tag=[call_number]
      To: <sip:[field0]@[field2]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:s[field0]@[local_ip]:[local_port]>
      Expires: 3600
      Content-Length: 0

    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[field2] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[field0]@[field2]>;tag=[call_number]
      To: <sip:[field0]@[field2]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:s[field0]@[local_ip]:[local_port]>
      [field1]
      Expires: 3600
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
`;

/** A user for sipp: SIP username, auth username, password. */
export interface SippUser {
  sipUsername: string;
  authUsername: string;
  password: string;
}

/** Result of a sipp run. */
export interface SippResult {
  seconds: number;
  /** CPU time sipp used (user + system), from the shell's `times`. */
  cpuSeconds: number;
  exitCode: number | null;
  output: string;
}

/**
 * Register every user once with sipp (the reference UAC): REGISTER, 401, REGISTER with
 * `[authentication username=... password=...]` from the injection file, 200.
 */
export async function runSippRegistrations(options: {
  dir: string;
  target: string;
  domain: string;
  users: SippUser[];
  ratePerSecond: number;
  maxConcurrent: number;
  localPort: number;
}): Promise<SippResult> {
  const scenario = join(options.dir, 'register.xml');
  const csv = join(options.dir, 'users.csv');
  await writeFile(scenario, SCENARIO);
  const rows = options.users.map(
    (u) =>
      `${u.sipUsername};[authentication username=${u.authUsername} password=${u.password}];${options.domain}`,
  );
  await writeFile(csv, ['SEQUENTIAL', ...rows, ''].join('\n'));
  const args = [
    options.target,
    '-sf',
    scenario,
    '-inf',
    csv,
    '-m',
    String(options.users.length),
    '-r',
    String(options.ratePerSecond),
    '-l',
    String(options.maxConcurrent),
    '-i',
    '127.0.0.1',
    '-p',
    String(options.localPort),
    '-t',
    'u1',
    '-buff_size',
    String(4 * 1024 * 1024),
    '-nostdin',
    '-timeout',
    '120',
    '-timeout_error',
  ];
  const started = performance.now();
  // Through bash so `times` reports sipp's CPU time (wall time is noisy on a shared machine; CPU is not).
  const script = 'sipp "$@"; rc=$?; echo "cpu-times"; times; exit $rc';
  const child = spawn('bash', ['-c', script, 'bash', ...args], {
    cwd: options.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, cpuSeconds: childCpuSeconds(output), exitCode, output };
}

/** Children's user + system seconds from bash `times` output (its last line: `0m1.234s 0m0.567s`). */
function childCpuSeconds(output: string): number {
  const lines = output.slice(output.lastIndexOf('cpu-times')).trim().split('\n');
  const match = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines.at(-1) ?? '');
  if (!match) return Number.NaN;
  return Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4]);
}
