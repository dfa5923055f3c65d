import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Kamailio as a stateful proxy with rtpengine (its `rtpengine` module, shipped in Debian's kamailio package):
 * record-routes every INVITE, hands offer and answer to rtpengine (`rtpengine_offer` / `rtpengine_answer`, deleted
 * on BYE) and relays to one destination (a sipp UAS). The reference the calls bench compares Callbridge with.
 * Retransmitted INVITEs are absorbed by their transaction (Kamailio's default-config pattern) rather than offered to
 * rtpengine again; `log()` is its stderr (errors and warnings), printed by the bench when its calls fail.
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
loadmodule "tmx.so"
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
  # A retransmitted INVITE is absorbed by its transaction: no second offer to rtpengine.
  if (t_precheck_trans()) { t_check_trans(); exit; }
  t_check_trans();
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
  /**
   * Where calls went wrong, from sipp's last scenario screen: per message, its retransmissions, timeouts and
   * unexpected messages when not zero, e.g. `{"BYE ->": "retrans 451", "200 <- (2)": "timeout 59"}`.
   */
  failures: Record<string, string>;
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
  const failures: Record<string, string> = {};
  const screen = output.slice(output.lastIndexOf('Messages  Retrans'));
  const row = /^\s+(\S+) (-+>|<-+)\s+(?:E-RTD\d )?(\d+)\s+(\d+)\s+(\d+)?[ \t]*(\d+)?/gm;
  for (const [, message, arrow, , retrans, timeout, unexpected] of screen.matchAll(row)) {
    const what = [
      Number(retrans) > 0 && `retrans ${retrans}`,
      Number(timeout) > 0 && `timeout ${timeout}`,
      Number(unexpected) > 0 && `unexpected ${unexpected}`,
    ].filter(Boolean);
    const key = `${message} ${arrow!.includes('>') ? '->' : '<-'}`;
    if (what.length > 0) failures[key in failures ? `${key} (2)` : key] = what.join(', ');
  }
  return { successful, failed: count('Failed call'), failures, seconds, cps: successful / seconds, output };
}
