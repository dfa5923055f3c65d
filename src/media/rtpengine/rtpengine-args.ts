/** What one rtpengine daemon listens on. */
export interface RtpengineListen {
  /** Address of the ng control socket (loopback: the control protocol has no authentication). */
  ngHost: string;
  ngPort: number;
  /** The address media is relayed on and written into SDPs. */
  mediaAddress: string;
  /** The RTP port range (inclusive); each relayed call takes two to four ports of it. */
  portMin: number;
  portMax: number;
}

/** The rtpengine binary of Debian's `rtpengine-daemon`. */
export const RTPENGINE_BINARY = '/usr/bin/rtpengine';

/**
 * The command line of a userspace rtpengine in the foreground, logging to stderr. `--config-file=none` keeps
 * Debian's /etc/rtpengine/rtpengine.conf out (it opens HTTP and CLI listeners on fixed ports and asks for the
 * kernel table); `--table=-1` is userspace forwarding, which needs no root and no kernel module.
 */
export function rtpengineArgs(listen: RtpengineListen, extra: string[] = []): string[] {
  return [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--table=-1',
    `--interface=${listen.mediaAddress}`,
    `--listen-ng=${listen.ngHost.includes(':') ? `[${listen.ngHost}]` : listen.ngHost}:${listen.ngPort}`,
    `--port-min=${listen.portMin}`,
    `--port-max=${listen.portMax}`,
    '--log-level=5',
    ...extra,
  ];
}
