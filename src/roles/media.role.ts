import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { MediaRelayStatus } from '../media/media-relay.js';
import { freeUdpPort } from '../media/rtpengine/free-udp-port.js';
import { ManagedRtpengine } from '../media/rtpengine/managed-rtpengine.js';
import { parseNgTarget } from '../media/rtpengine/ng-types.js';
import { RtpengineRelay } from '../media/rtpengine-relay.js';

/** The media relay of this process and, when `serve` runs it, its rtpengine child. */
export interface MediaRole {
  relay: RtpengineRelay;
  managed: ManagedRtpengine | undefined;
  stop(): Promise<void>;
}

/**
 * Picks the relay: the external rtpengine of `CALLBRIDGE_RTPENGINE`, else a managed child when the binary is
 * installed, else none, with the reason calls are refused (logged now, shown at /readyz, given to each call).
 */
export async function startMediaRole(config: Config, logger: Logger): Promise<MediaRole> {
  const log = logger.child({ component: 'media' });
  const onStatus = (status: MediaRelayStatus): void => {
    if (status.state === 'available') log.info(`media relay available: ${status.relay}`);
    else log.warn(`media relay unavailable, calls are refused: ${status.reason}`);
  };
  if (config.rtpengine) {
    // The relay reports its first ping's outcome through onStatus, available or not.
    const relay = await RtpengineRelay.open({ target: parseNgTarget(config.rtpengine), onStatus });
    return { relay, managed: undefined, stop: async () => relay.close() };
  }
  if (!existsSync(config.rtpengineBinary)) {
    const reason =
      `rtpengine is not installed (${config.rtpengineBinary} not found) and CALLBRIDGE_RTPENGINE is not set. ` +
      "Install Debian's rtpengine-daemon, or set CALLBRIDGE_RTPENGINE=udp:host:port to use a running one.";
    const relay = await RtpengineRelay.open({ unavailableReason: reason });
    onStatus(relay.status());
    return { relay, managed: undefined, stop: async () => relay.close() };
  }
  if (config.rtpenginePortMin >= config.rtpenginePortMax) {
    throw new Error(
      `CALLBRIDGE_RTPENGINE_PORT_MIN (${config.rtpenginePortMin}) must be below CALLBRIDGE_RTPENGINE_PORT_MAX ` +
        `(${config.rtpenginePortMax}); each call needs two to four ports of the range.`,
    );
  }
  const ngPort = config.rtpengineNgPort || (await freeUdpPort());
  const managed = new ManagedRtpengine({
    binary: config.rtpengineBinary,
    logger,
    listen: {
      ngHost: '127.0.0.1',
      ngPort,
      mediaAddress: config.rtpengineInterface,
      portMin: config.rtpenginePortMin,
      portMax: config.rtpenginePortMax,
    },
  });
  managed.start();
  const relay = await RtpengineRelay.open({ target: { host: '127.0.0.1', port: ngPort }, onStatus });
  // rtpengine makes its DTLS certificate before it listens (about a second): give the child that long.
  const started = Date.now();
  while (relay.status().state === 'unavailable' && Date.now() - started < 10_000) await relay.checkNow();
  return {
    relay,
    managed,
    stop: async () => {
      relay.close();
      await managed.stop();
    },
  };
}
