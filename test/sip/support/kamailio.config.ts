/** Inputs of the generated Kamailio configuration. */
export interface KamailioConfigInput {
  dir: string;
  port: number;
  domain: string;
  algorithm: 'MD5' | 'SHA-256';
  children: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** More domains this PBX is registrar for (aliases). */
  aliases?: string[];
  /** Longest expiry granted (default 86400): a PBX that shortens what clients ask for. */
  maxExpires?: number;
  /** Keep the domain in the AoR (`user@domain`), so bindings of one user at two domains are told apart. */
  useDomain?: boolean;
  /**
   * Act as the PBX of call tests (issue 17): challenge new INVITEs from these users (digest, 407) like a PBX
   * does for its phones, and relay in-dialog requests and CANCEL by transaction instead of by location.
   */
  challengeInvitesFrom?: string[];
  /**
   * Act as a carrier's proxy for a registration trunk (issue 19): INVITEs to a number (`+` and digits) go to the
   * Contact registered for this AoR, the number kept in To (record-routed; in-dialog requests by their Route).
   */
  routeNumbersTo?: string;
}

/**
 * kamailio.cfg for a loopback test PBX: UDP and TCP on one port; REGISTER counted per From user (htable `regs`),
 * challenged with qop=auth against db_text subscribers (the auth username may differ from the SIP username, so no
 * identity check), saved to an in-memory location table; other requests relayed to the registered contact.
 */
export function kamailioConfig({
  dir,
  port,
  domain,
  algorithm,
  children,
  host = '127.0.0.1',
  aliases = [],
  useDomain = false,
  maxExpires = 86400,
  challengeInvitesFrom,
  routeNumbersTo,
}: KamailioConfigInput): string {
  const modules = [
    'db_text',
    'tm',
    'sl',
    'rr',
    'pv',
    'maxfwd',
    'usrloc',
    'registrar',
    'textops',
    'siputils',
    'xlog',
    'ctl',
    'kex',
    'corex',
    'htable',
    'auth',
    'auth_db',
  ];
  return `#!KAMAILIO
debug=1
log_stderror=yes
children=${children}
tcp_children=${children}
listen=udp:${host}:${port}
listen=tcp:${host}:${port}
auto_aliases=no
${[domain, ...aliases].map((d) => `alias="${d}"`).join('\n')}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
${modules.map((m) => `loadmodule "${m}.so"`).join('\n')}
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "hash_size", 14)
modparam("usrloc", "use_domain", ${useDomain ? 1 : 0})
modparam("registrar", "min_expires", 1)
modparam("registrar", "max_expires", ${maxExpires})
modparam("auth_db", "db_url", "text://${dir}")
modparam("auth_db", "calculate_ha1", 1)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "use_domain", 0)
modparam("auth_db", "load_credentials", "")
modparam("auth", "algorithm", "${algorithm}")
modparam("ctl", "binrpc", "unix:${dir}/ctl.sock")
modparam("ctl", "binrpc_max_body_size", 8192)
modparam("ctl", "binrpc_struct_max_body_size", 8192)
modparam("htable", "htable", "regs=>size=10;")

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("REGISTER")) {
    if ($sht(regs=>$fU) == $null) { $sht(regs=>$fU) = 1; } else { $sht(regs=>$fU) = $sht(regs=>$fU) + 1; }
    if (!auth_check("$fd", "subscriber", "0")) { auth_challenge("$fd", "1"); exit; }
    consume_credentials();
    if (!save("location")) sl_reply_error();
    exit;
  }
${challengeInvitesFrom ? callRoutes(challengeInvitesFrom) : ''}${routeNumbersTo ? carrierRoutes(routeNumbersTo) : ''}  if (is_method("ACK")) { t_relay(); exit; }
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  t_relay();
}
`;
}

/**
 * The PBX's call handling for B2BUA tests: in-dialog requests by their Route (the PBX record-routes, so it stays in
 * every call's path like a real PBX and answers reach the phone that sent them), CANCEL by transaction, INVITEs
 * from the listed users challenged (407).
 */
function callRoutes(users: string[]): string {
  return `  if (has_totag()) { loose_route(); t_relay(); exit; }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("INVITE") && $fU =~ "^(${users.join('|')})$") {
    if (!auth_check("$fd", "subscriber", "0")) { auth_challenge("$fd", "1"); exit; }
    consume_credentials();
  }
  if (is_method("INVITE")) record_route();
`;
}

/** A carrier's routing of its numbers to a registration trunk: the number's INVITE to the trunk's AoR (record-routed). */
function carrierRoutes(aor: string): string {
  return `  if (has_totag()) { loose_route(); t_relay(); exit; }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("INVITE") && $rU =~ "^[+]?[0-9]+$") { record_route(); $rU = "${aor}"; }
`;
}
