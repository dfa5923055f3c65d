import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { MediaError } from '../media-error.js';
import { bdecode, bencode, type BencodeDict, type BencodeValue } from './bencode.js';
import type {
  NgAnswer,
  NgBlockParams,
  NgCommand,
  NgOfferParams,
  NgQueryParams,
  NgReply,
  NgTarget,
} from './ng-types.js';

/** Timing of one request: retransmitted with the same cookie at each of `retransmitMs`, abandoned at `timeoutMs`. */
export interface NgClientOptions {
  /** Delays (ms after the first send) at which the same datagram is sent again. Default 250, 750, 1750. */
  retransmitMs?: number[];
  /** How long to wait for the answer in all. Default 3000 ms. */
  timeoutMs?: number;
}

interface Pending {
  command: NgCommand;
  resolve: (reply: NgReply) => void;
  reject: (error: Error) => void;
  /** The one timer of the request: the next retransmission, then the timeout. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * A typed client of rtpengine's ng control protocol over UDP. Each request carries a fresh cookie; rtpengine
 * recognises a retransmission by its cookie and answers it from its cache without acting twice, so a lost datagram
 * is simply sent again on a schedule. Answers with `result: error` reject with a MediaError carrying rtpengine's
 * `error-reason`. npm `rtpengine-client` is not used: plain JavaScript without types, idle since 2023, and it
 * hides the retransmission schedule this relay needs to tune.
 */
export class NgClient {
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = randomBytes(6).toString('hex');
  private sequence = 0;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly target: NgTarget,
    private readonly options: Required<NgClientOptions>,
  ) {
    socket.on('message', (message) => this.receive(message));
  }

  /** Opens a UDP socket toward `target` (an ephemeral local port on the same address family). */
  static async open(target: NgTarget, options: NgClientOptions = {}): Promise<NgClient> {
    const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A send error (ICMP unreachable on a connected socket, buffer full) is treated like a lost datagram.
    socket.on('error', () => undefined);
    return new NgClient(socket, target, {
      retransmitMs: options.retransmitMs ?? [250, 750, 1750],
      timeoutMs: options.timeoutMs ?? 3000,
    });
  }

  /** `ping`: resolves when rtpengine answers `pong`. */
  async ping(): Promise<void> {
    const reply = await this.request('ping', {});
    if (reply.result !== 'pong') {
      throw new MediaError('relay_protocol', `rtpengine answered ping with "${reply.result}", not "pong".`);
    }
  }

  /** `offer`: answers the rewritten SDP and rtpengine's reply. */
  offer(params: NgOfferParams): Promise<NgAnswer> {
    return this.sdpRequest('offer', params);
  }

  /** `answer`: the same keys as an offer plus `to-tag`. */
  answer(params: NgOfferParams & { 'to-tag': string }): Promise<NgAnswer> {
    return this.sdpRequest('answer', params);
  }

  /** `delete`: the reply carries the call's last statistics (as `query`). */
  delete(params: NgQueryParams & { flags?: string[] }): Promise<NgReply> {
    return this.request('delete', params);
  }

  /** `query`: the call's tags, streams and counters. */
  query(params: NgQueryParams): Promise<NgReply> {
    return this.request('query', params);
  }

  /**
   * `block media`: rtpengine drops the media packets the party of `from-tag` sends (the whole call's without a
   * tag); RFC 4733 events still pass. In 10.5 (control_ng.c) alongside `unblock media`, `silence media` and
   * `unsilence media`.
   */
  blockMedia(params: NgBlockParams): Promise<NgReply> {
    return this.request('block media', params);
  }

  /** `unblock media`: the party's (or, without a tag, the call's) media passes again. */
  unblockMedia(params: NgBlockParams): Promise<NgReply> {
    return this.request('unblock media', params);
  }

  /** `silence media`: the party's packets pass with their payload replaced by silence (G.711 and G.722 only). */
  silenceMedia(params: NgBlockParams): Promise<NgReply> {
    return this.request('silence media', params);
  }

  /** `unsilence media`: the party's payload passes unchanged again. */
  unsilenceMedia(params: NgBlockParams): Promise<NgReply> {
    return this.request('unsilence media', params);
  }

  /** Sends any command; resolves with the reply dictionary, rejects with a MediaError. */
  request(command: NgCommand, params: BencodeDict): Promise<NgReply> {
    if (this.closed) {
      return Promise.reject(new MediaError('relay_unavailable', 'The rtpengine control client is closed.'));
    }
    const cookie = `${this.prefix}_${++this.sequence}`;
    const datagram = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...params, command })]);
    return new Promise<NgReply>((resolve, reject) => {
      const send = (): void => this.socket.send(datagram, this.target.port, this.target.host);
      const waiting: Pending = { command, resolve, reject, timer: undefined };
      // One timer at a time, re-armed for the next step (three or four timers a request, thousands of requests a
      // second under load, were measurable in the calls bench's profile).
      const schedule = this.options.retransmitMs;
      const arm = (step: number, since: number): void => {
        const at = step < schedule.length ? schedule[step]! : this.options.timeoutMs;
        waiting.timer = setTimeout(() => {
          if (step < schedule.length) {
            send();
            return arm(step + 1, at);
          }
          this.settle(cookie);
          reject(
            new MediaError(
              'relay_timeout',
              `rtpengine at ${describeTarget(this.target)} did not answer "${command}" within ` +
                `${this.options.timeoutMs} ms (sent ${schedule.length + 1} times).`,
              { command, relay: describeTarget(this.target) },
            ),
          );
        }, at - since);
      };
      arm(0, 0);
      this.pending.set(cookie, waiting);
      send();
    });
  }

  /** Closes the socket; requests still waiting reject as unavailable. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [cookie, waiting] of [...this.pending]) {
      this.settle(cookie);
      waiting.reject(new MediaError('relay_unavailable', 'The rtpengine control client was closed.'));
    }
    this.socket.close();
  }

  private async sdpRequest(command: 'offer' | 'answer', params: BencodeDict): Promise<NgAnswer> {
    const reply = await this.request(command, params);
    if (typeof reply.sdp !== 'string') {
      throw new MediaError('relay_protocol', `rtpengine answered "${command}" without an SDP.`, { command });
    }
    return { ...reply, sdp: reply.sdp };
  }

  private receive(message: Buffer): void {
    const space = message.indexOf(0x20);
    if (space <= 0) return;
    const waiting = this.pending.get(message.toString('latin1', 0, space));
    if (!waiting) return; // an answer to a retransmission already settled, or not ours
    this.settle(message.toString('latin1', 0, space));
    let reply: BencodeValue;
    try {
      reply = bdecode(message.subarray(space + 1));
    } catch (error) {
      waiting.reject(
        new MediaError('relay_protocol', `rtpengine's answer to "${waiting.command}" is not bencode.`, {
          cause: (error as Error).message,
        }),
      );
      return;
    }
    if (typeof reply !== 'object' || Array.isArray(reply) || typeof reply.result !== 'string') {
      waiting.reject(
        new MediaError('relay_protocol', `rtpengine's answer to "${waiting.command}" has no result.`),
      );
      return;
    }
    if (reply.result === 'error') {
      const errorReason =
        typeof reply['error-reason'] === 'string' ? reply['error-reason'] : 'no reason given';
      waiting.reject(
        new MediaError('relay_refused', `rtpengine refused "${waiting.command}": ${errorReason}.`, {
          command: waiting.command,
          errorReason,
        }),
      );
      return;
    }
    waiting.resolve(reply as NgReply);
  }

  private settle(cookie: string): void {
    const waiting = this.pending.get(cookie);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(cookie);
  }
}

/** `udp:host:port` as configured. */
export function describeTarget(target: NgTarget): string {
  return `udp:${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}
