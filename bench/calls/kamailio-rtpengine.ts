import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Kamailio as a stateful proxy with rtpengine (its `rtpengine` module, shipped in Debian's kamailio package):
 * record-routes every INVITE, hands offer and answer to rtpengine (`rtpengine_offer` / `rtpengine_answer`, deleted
 * on BYE) and relays to one destination (a sipp UAS). The reference the calls bench compares Callbridge with.
 */
export async function startKamailioProxy(options: {
  dir: string;
  port: number;
  destination: string;
  rtpengineNg: string;
  children: number;
}): Promise<{ child: ChildProcess; log: () => string }> {
  const config = `#!KAMAILIO
debug=0
log_stderror=yes
children=${options.children}
listen=udp:127.0.0.1:${options.port}
auto_aliases=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "corex.so"
loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:${options.rtpengineNg}")

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) {
      if (is_method("BYE")) rtpengine_delete();
      t_relay();
      exit;
    }
    if (is_method("ACK") && t_check_trans()) t_relay();
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("INVITE")) {
    record_route();
    rtpengine_offer("replace-origin replace-session-connection");
    t_on_reply("ANSWER");
  }
  $du = "sip:${options.destination}";
  t_relay();
}

onreply_route[ANSWER] {
  if (has_body("application/sdp")) rtpengine_answer("replace-origin replace-session-connection");
}
`;
  const file = join(options.dir, 'kamailio-proxy.cfg');
  await writeFile(file, config);
  const child = spawn('/usr/sbin/kamailio', ['-f', file, '-DD', '-E', '-P', join(options.dir, 'k.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-5000)));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  if (child.exitCode !== null) throw new Error(`kamailio did not start: ${log}`);
  return { child, log: () => log };
}

/** Result of one sipp load run. */
export interface SippLoad {
  successful: number;
  failed: number;
  seconds: number;
  /** Successful calls per second over the run. */
  cps: number;
  /** sipp's reasons for the failed calls (its "Failed ..." counters that are not zero), e.g. `Max UDP Retrans`. */
  failures: Record<string, number>;
  output: string;
}

/**
 * sipp's built-in UAC (INVITE with SDP, ACK, a pause of `holdMs`, BYE) at `rate` calls per second until `calls`
 * were made, toward `target` with Request-URI user `service`. Counts are read from sipp's final statistics screen.
 */
export async function sippLoad(options: {
  dir: string;
  target: string;
  service: string;
  rate: number;
  calls: number;
  holdMs: number;
  limit: number;
  localPort: number;
  extra?: string[];
}): Promise<SippLoad> {
  const args = [
    options.target,
    '-sn',
    'uac',
    '-s',
    options.service,
    '-r',
    String(options.rate),
    '-m',
    String(options.calls),
    '-l',
    String(options.limit),
    '-d',
    String(options.holdMs),
    '-i',
    '127.0.0.1',
    '-p',
    String(options.localPort),
    '-buff_size',
    String(8 * 1024 * 1024),
    '-nostdin',
    '-timeout',
    String(Math.ceil(options.calls / options.rate) + 120),
    '-recv_timeout',
    '20000',
    ...(options.extra ?? []),
  ];
  const started = performance.now();
  const child = spawn('sipp', args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-30_000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-30_000)));
  await new Promise((resolve) => child.on('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  const count = (label: string) =>
    Number(new RegExp(`${label}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(output)?.[1] ?? NaN);
  const successful = count('Successful call');
  const failures: Record<string, number> = {};
  for (const [, label, value] of output.matchAll(/^\s*Failed ([^|]+?)\s*\|[^|]*\|\s*(\d+)/gm))
    if (label !== 'call' && Number(value) > 0) failures[label!] = Number(value);
  return { successful, failed: count('Failed call'), failures, seconds, cps: successful / seconds, output };
}
