import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { configFrom, printRows } from './cli-context.js';

interface Globals {
  url?: string;
  json?: boolean;
}

/**
 * The emulator's address: `--url`, else the one the demo of this data directory wrote at its last start
 * (`<data dir>/demo.json`), else the standalone `callbridge emulator`'s default.
 */
function emulatorUrl(command: Command): string {
  const { url } = command.optsWithGlobals<Globals>();
  if (url) return url.replace(/\/+$/, '');
  const marker = path.join(configFrom(command).dataDir, 'demo.json');
  if (existsSync(marker)) {
    const saved = (JSON.parse(readFileSync(marker, 'utf8')) as { emulatorUrl?: string }).emulatorUrl;
    if (saved) return saved;
  }
  return 'http://127.0.0.1:4400';
}

/** One call of the control API; the emulator's error message (Microsoft's error shape) becomes the CLI's. */
async function control(command: Command, method: string, route: string, body?: object): Promise<unknown> {
  const url = `${emulatorUrl(command)}/_emulator/teams-sip${route}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      ...(body && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new Error(
      `No emulator answers at ${url} (${String(error)}): start it, or give its address with --url.`,
      {
        cause: error,
      },
    );
  }
  const answer = (await response.json()) as { error?: { message?: string } };
  if (!response.ok) throw new Error(answer.error?.message ?? `${method} ${url}: HTTP ${response.status}`);
  return answer;
}

/** Print an answer as JSON (always for single objects: they are small and scripts read them). */
function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
    return n;
  };
}

function statuses(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 300 || n > 699))
    throw new InvalidArgumentError('must be a comma list of SIP statuses 300-699, e.g. 503,503');
  return list;
}

/** A command acting on one call: `answer <callId>` and the like. */
function callAction(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<callId>', 'the Call-ID, as `calls` lists it')
    .action(async (callId: string, _options: unknown, command: Command) =>
      print(await control(command, 'POST', `/calls/${encodeURIComponent(callId)}/${name}`)),
    );
}

/**
 * `callbridge emulator teams-sip ...`: drive the Teams SIP emulator (the demo's, or a standalone one) through
 * its control API: a Teams user calls a number, answers, declines, holds, resumes, transfers or hangs up; list
 * calls; inject faults; set how a Teams user's clients answer.
 */
export function teamsSipCommand(): Command {
  const command = new Command('teams-sip')
    .description("Drive the Teams SIP emulator (Microsoft's Direct Routing proxies) through its control API")
    .option('--url <url>', "the emulator's address (default: the demo's, from <data dir>/demo.json)");
  command.addCommand(
    new Command('calls')
      .description('List the calls the emulator handled')
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, sub: Command) => {
        const { value } = (await control(sub, 'GET', '/calls')) as { value: Record<string, unknown>[] };
        printRows(
          value,
          ['callId', 'direction', 'from', 'to', 'state', 'status', 'refusal'],
          options.json === true,
        );
      }),
  );
  command.addCommand(
    new Command('call')
      .description("A Teams user calls a number through the SBC the user's voice route names")
      .requiredOption('--from <number>', "the Teams user's number (+E.164)")
      .requiredOption('--to <number>', 'the number to call (+E.164)')
      .option('--sbc <fqdn>', 'the SBC FQDN to use instead of the voice route')
      .action(async (options: { from: string; to: string; sbc?: string }, sub: Command) =>
        print(
          await control(sub, 'POST', '/calls', {
            from: options.from,
            to: options.to,
            ...(options.sbc && { sbcFqdn: options.sbc }),
          }),
        ),
      ),
  );
  for (const [name, description] of [
    ['answer', 'Answer a call ringing a Teams user (behaviour "manual")'],
    ['decline', 'Decline a call ringing a Teams user (603)'],
    ['hold', 'Hold an established call (re-INVITE with a=inactive)'],
    ['resume', 'Resume a held call'],
    ['hangup', 'Hang up (BYE), or cancel a call still ringing'],
    ['replace', 'Teams replaces an established call (INVITE with Replaces, as call queues do)'],
  ] as const)
    command.addCommand(callAction(name, description));
  command.addCommand(
    new Command('transfer')
      .description('The Teams user transfers the call (REFER when the SBC allows it, else internally)')
      .argument('<callId>', 'the Call-ID')
      .requiredOption('--target <who>', 'the Teams user to transfer to: number (+E.164) or object id')
      .action(async (callId: string, options: { target: string }, sub: Command) =>
        print(
          await control(sub, 'POST', `/calls/${encodeURIComponent(callId)}/transfer`, {
            target: options.target,
          }),
        ),
      ),
  );
  command.addCommand(
    new Command('faults')
      .description('Inject faults (replaces the current ones); --clear removes them')
      .option('--invite-statuses <list>', 'final statuses for the next INVITEs, e.g. 503,503', statuses)
      .option('--retry-after <seconds>', 'Retry-After on an injected 503', integer(0))
      .option('--silent-invites <n>', 'swallow the next N INVITEs (the SBC times out)', integer(0))
      .option('--drop-options', 'swallow every OPTIONS (the SBC sees timeouts)')
      .option('--clear', 'remove every fault')
      .action(
        async (
          options: {
            inviteStatuses?: number[];
            retryAfter?: number;
            silentInvites?: number;
            dropOptions?: boolean;
            clear?: boolean;
          },
          sub: Command,
        ) => {
          if (options.clear) return print(await control(sub, 'DELETE', '/faults'));
          print(
            await control(sub, 'PUT', '/faults', {
              ...(options.inviteStatuses && { inviteStatuses: options.inviteStatuses }),
              ...(options.retryAfter !== undefined && { retryAfterSeconds: options.retryAfter }),
              ...(options.silentInvites !== undefined && { silentInvites: options.silentInvites }),
              dropOptions: options.dropOptions === true,
            }),
          );
        },
      ),
  );
  command.addCommand(
    new Command('behaviour')
      .description("How a Teams user's clients answer calls from the SBC")
      .argument('<number>', "the Teams user's number (+E.164)")
      .option('--devices <n>', 'Teams devices that ring (one 180 each)', integer(1))
      .option('--no-early-media', 'no 183 with SDP')
      .option('--outcome <outcome>', 'answer, decline, busy, unavailable, ring or manual')
      .option('--after-ms <ms>', 'ringing time before the outcome', integer(0))
      .action(
        async (
          number: string,
          options: { devices?: number; earlyMedia: boolean; outcome?: string; afterMs?: number },
          sub: Command,
        ) =>
          print(
            await control(sub, 'PUT', `/users/${encodeURIComponent(number)}/behaviour`, {
              earlyMedia: options.earlyMedia,
              ...(options.devices !== undefined && { devices: options.devices }),
              ...(options.outcome !== undefined && { outcome: options.outcome }),
              ...(options.afterMs !== undefined && { afterMs: options.afterMs }),
            }),
          ),
      ),
  );
  return command;
}
