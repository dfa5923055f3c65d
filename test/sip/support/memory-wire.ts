import { parseMessage } from '../../../src/sip/message/message.parser.js';
import type { SipMessage } from '../../../src/sip/message/sip-message.js';
import type { EndpointTransport } from '../../../src/sip/dialog/endpoint.types.js';
import type {
  InboundMessage,
  SipSource,
  SipTarget,
  TransportProtocol,
} from '../../../src/sip/transport/transport.types.js';

/** One station on the wire: an address and whoever receives what is sent to it. */
interface Station {
  address: string;
  receive: (inbound: InboundMessage) => void;
}

/** A message as it crossed the wire, parsed back from the bytes. */
export interface WireRecord {
  from: string;
  to: string;
  protocol: TransportProtocol;
  message: SipMessage;
  bytes: number;
}

/**
 * An in-process wire for tests that run with fake timers (sockets do not advance with them): every message is
 * serialized, crosses as bytes and is parsed again on the other side, so both endpoints speak the real wire
 * format. Tests read what crossed (`log`) and can drop messages (`drop`) to exercise retransmission timers.
 */
export class MemoryWire {
  readonly log: WireRecord[] = [];
  /** Return true to lose a message on the way (the sender cannot tell). */
  drop: (record: WireRecord) => boolean = () => false;
  private readonly stations = new Map<string, Station>();

  /** A transport for the station at `address` (port 5060 on every protocol). */
  transport(address: string, receive: (inbound: InboundMessage) => void): EndpointTransport {
    this.stations.set(address, { address, receive });
    return {
      send: (target, data) => this.deliver(address, target, data),
      reply: (source, data) => this.deliver(address, toTarget(source), data),
      local: (protocol) => ({ protocol, host: address, port: 5060 }),
    };
  }

  /** Replace who receives at an address (e.g. a scripted peer instead of an endpoint). */
  attach(address: string, receive: (inbound: InboundMessage) => void): void {
    this.stations.set(address, { address, receive });
  }

  /** Messages that crossed, filtered, as `METHOD` or status numbers: ['INVITE', 100, 180, 200, 'ACK']. */
  summary(filter: (r: WireRecord) => boolean = () => true): (string | number)[] {
    return this.log
      .filter(filter)
      .map((r) => (r.message.kind === 'request' ? r.message.method : r.message.status));
  }

  private deliver(from: string, target: SipTarget, data: Buffer): Promise<void> {
    const station = this.stations.get(target.address);
    if (!station) return Promise.reject(new Error(`nobody at ${target.address}`));
    const message = parseMessage(Buffer.from(data));
    const record = { from, to: target.address, protocol: target.protocol, message, bytes: data.length };
    this.log.push(record);
    if (this.drop(record)) return Promise.resolve();
    const source: SipSource = {
      protocol: target.protocol,
      address: from,
      port: 5060,
      flow: target.protocol === 'udp' ? undefined : `${target.protocol}:${from}:5060`,
    };
    // A microtask, not a timer: fake timers must not hold messages back.
    void Promise.resolve().then(() => station.receive({ message: parseMessage(Buffer.from(data)), source }));
    return Promise.resolve();
  }
}

function toTarget(source: SipSource): SipTarget {
  return { protocol: source.protocol, address: source.address, port: source.port };
}
