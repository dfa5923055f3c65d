import type { Command } from 'commander';
import { configFrom } from '../cli-context.js';

interface TestCallAnswer {
  id?: string;
  phase?: string;
  result?: string;
  finalStatus?: number;
  reason?: string;
  audio?: { sent: number; received: number };
  callRecordId?: string;
  advice?: { title: string; steps: string[] } | null;
  code?: string;
  message?: string;
}

interface TestCallOptions {
  account: string;
  url?: string;
  token?: string;
  seconds?: string;
  json?: boolean;
}

/**
 * `callbridge users test-call <user> --account <id>`: rings the user's Teams client from the PBX side and prints
 * the progress and the result. The call is placed by the running server's sip role, so this command goes through
 * its API (like the portal's button) with an API token, instead of opening the database as other commands do.
 */
export function addTestCallCommand(users: Command): void {
  users
    .command('test-call <id>')
    .description("Ring the user's Teams client from the PBX side with a tone; prints progress and result")
    .requiredOption('--account <id>', 'the account')
    .option('--url <url>', 'the running server (default CALLBRIDGE_PUBLIC_URL, else http://localhost:<port>)')
    .option('--token <token>', 'an API token (default CALLBRIDGE_TOKEN; `callbridge token create` makes one)')
    .option('--seconds <n>', 'how long an answered call plays its tone (1-30)', '5')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: TestCallOptions, command: Command) => {
      const config = configFrom(command);
      const base = (options.url ?? config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '');
      const token = options.token ?? process.env.CALLBRIDGE_TOKEN;
      if (!token) {
        process.stderr.write(
          'error: a test call is placed by the running server: give an API token with --token or CALLBRIDGE_TOKEN (npx callbridge token create).\n',
        );
        process.exitCode = 1;
        return;
      }
      const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<TestCallAnswer> => {
        const response = await fetch(`${base}/api/v1/accounts/${options.account}/users/${id}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const answer = (await response.json()) as TestCallAnswer;
        if (!response.ok)
          throw new Error(`${answer.message ?? response.statusText} (${answer.code ?? response.status})`);
        return answer;
      };
      try {
        let state = await call('POST', '/test-call', { seconds: Number(options.seconds) });
        let shown = '';
        while (state.phase !== 'ended') {
          if (!options.json && state.phase !== shown)
            process.stdout.write(`${(shown = state.phase ?? '')}...\n`);
          await new Promise((resolve) => setTimeout(resolve, 500));
          state = await call('GET', `/test-calls/${state.id ?? ''}`);
        }
        process.stdout.write(options.json ? `${JSON.stringify(state)}\n` : summary(state));
        if (state.result !== 'answered') process.exitCode = 1;
      } catch (error) {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}

/** The result in words, with the advice of the call record when it did not go through. */
function summary(state: TestCallAnswer): string {
  const lines = [`result: ${state.result ?? 'unknown'}${state.finalStatus ? ` (${state.finalStatus})` : ''}`];
  if (state.audio)
    lines.push(
      `audio: ${state.audio.sent} packets of tone sent, ${state.audio.received} received from Teams`,
    );
  if (state.reason) lines.push(`reason: ${state.reason}`);
  if (state.callRecordId)
    lines.push(
      `call record: ${state.callRecordId} (callbridge calls show ${state.callRecordId} --account ...)`,
    );
  if (state.advice)
    lines.push(`advice: ${state.advice.title}`, ...state.advice.steps.map((step) => `  - ${step}`));
  return lines.join('\n') + '\n';
}
