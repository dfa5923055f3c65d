import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How sipp ended: exit code 0 means every step of the scenario happened as written. */
export interface SippRun {
  code: number | null;
  output: string;
}

/**
 * Run sipp once with a generated scenario (`-m 1`), as an extension on `port`, toward `remote`; the promise
 * resolves when sipp exits. `stop` kills it (test clean-up).
 */
export async function runSipp(
  dir: string,
  name: string,
  xml: string,
  args: { port: number; remote: string; service?: string; ext: string; extra?: string[] },
): Promise<{ done: Promise<SippRun>; stop: () => void }> {
  const file = join(dir, `${name}.xml`);
  await writeFile(file, xml);
  const argv = [
    '-sf',
    file,
    '-i',
    '127.0.0.1',
    '-p',
    String(args.port),
    '-key',
    'ext',
    args.ext,
    ...(args.service ? ['-s', args.service] : []),
    ...(args.extra ?? []),
    '-m',
    '1',
    '-timeout',
    '25s',
    '-nostdin',
    '-trace_err',
    '-trace_msg',
    '-message_file',
    join(dir, `${name}.messages.log`),
    '-error_file',
    join(dir, `${name}.errors.log`),
    args.remote,
  ];
  const child = spawn('sipp', argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<SippRun>((resolve) =>
    child.on('close', (code) => resolve({ code, output: output.slice(-3000) })),
  );
  return { done, stop: () => void child.kill() };
}
