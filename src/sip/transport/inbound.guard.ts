import type { Socket } from 'node:net';

/** Bounds on connections peers open to us (issue 14: half-open connections held descriptors forever). */
export interface InboundLimits {
  /** Close an inbound connection after this long without a byte from the peer (ms). */
  idleMs: number;
  /** Inbound connections one remote address may hold at once; more are closed on arrival. */
  maxPerAddress: number;
  /** Inbound connections held at once over every address; more are closed on arrival. */
  maxInbound: number;
}

/**
 * Defaults: a PBX keeping a flow alive pings at least every 120 s (RFC 5626 section 4.4.1 recommends 95-120 s
 * for TCP), so 180 s of silence means the peer is gone; one PBX address rarely needs more than a handful of
 * connections, and 1,000 together stays well inside the 1,024 descriptors of a default `ulimit -n` minus ours.
 */
export const DEFAULT_INBOUND_LIMITS: InboundLimits = { idleMs: 180_000, maxPerAddress: 50, maxInbound: 1000 };

/** Counters of the guard, read by the metrics. */
export interface InboundStats {
  /** Connections closed on arrival because a cap was reached. */
  refused: number;
  /** Connections closed because the peer stayed silent for the idle timeout. */
  idleClosed: number;
}

/**
 * Admits or refuses each connection a peer opens to our listener, counts them per remote address, and closes
 * them once the peer has been silent for `idleMs` (socket timeouts: one kernel-backed timer per socket, no sweep).
 * Only inbound connections are watched: ours to a PBX are kept alive by our own CRLF pings.
 */
export class InboundGuard {
  readonly stats: InboundStats = { refused: 0, idleClosed: 0 };
  private readonly perAddress = new Map<string, number>();
  private open = 0;

  constructor(private readonly limits: InboundLimits) {}

  /** Inbound connections held now. */
  get count(): number {
    return this.open;
  }

  /**
   * Take a newly accepted raw socket: false (and the socket destroyed) when a cap is reached, else counted until
   * it closes. `watchIdle` false leaves the idle timer to the caller (TLS sets it on the decrypted socket).
   */
  admit(socket: Socket, watchIdle = true): boolean {
    const address = socket.remoteAddress ?? '';
    const held = this.perAddress.get(address) ?? 0;
    if (this.open >= this.limits.maxInbound || held >= this.limits.maxPerAddress) {
      this.stats.refused++;
      socket.destroy();
      return false;
    }
    this.open++;
    this.perAddress.set(address, held + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
    if (watchIdle) this.watchIdle(socket);
    return true;
  }

  /** Close `socket` after `idleMs` without traffic. */
  watchIdle(socket: Socket): void {
    socket.setTimeout(this.limits.idleMs, () => {
      this.stats.idleClosed++;
      socket.destroy();
    });
  }
}
