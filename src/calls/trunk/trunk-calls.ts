import type { EdgeRouteLookup } from '../../edge/teams-edge.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import type { SipRequest } from '../../sip/message/sip-message.js';
import type { CallContext } from '../call-context.js';
import { DEFAULT_CALL_SETTINGS, refusal, type CallRefusal, type CallUser } from '../call-user.js';
import { trunkOfRegistrationId, TrunkCallHold } from './trunk-calls.types.js';
import type { TrunkChannelLedger } from './trunk-channels.js';
import type { TrunkDirectory } from './trunk-directory.js';
import type { TrunkLine } from './trunk-line.js';
import { calledNumberOf, fromWire, userOf } from './trunk-number-format.js';
import { TeamsToTrunkCall } from './teams-to-trunk.call.js';
import { TrunkToTeamsCall } from './trunk-to-teams.call.js';

type Route = Extract<EdgeRouteLookup, { kind: 'found' }>;

/** What the trunk calls need besides the lines. */
export interface TrunkCallsOptions {
  directory: TrunkDirectory;
  /** The customer's subdomain of the SBC domain for a service (carrier model). */
  customerFqdnOf: (serviceId: string) => string;
  /**
   * Why a trunk user's calls are refused, if they are: the sip role's one rule for every user (no licence free,
   * disabled or removed in the tenant, account suspended; `callRefusals`). Undefined: not refused.
   */
  refusedBecause?: (userId: string) => string | undefined;
}

/**
 * The B2BUA's trunk side (issue 19): which calls are a carrier's (INVITEs to a registration trunk's Contact, or from
 * an IP trunk's addresses), and which calls from Teams leave through a trunk (the user's service is a trunk). It
 * holds the running trunks (`TrunkLine`), replaced on every reload of the sip role.
 *
 * @example const trunks = new TrunkCalls({ directory, customerFqdnOf }); B2bua.attach({ ..., trunks });
 */
export class TrunkCalls {
  private lines = new Map<string, TrunkLine>();
  /** Channels shared with the other sip nodes (PostgreSQL); without a ledger, this node counts alone. */
  private ledger: TrunkChannelLedger | undefined;

  constructor(private readonly options: TrunkCallsOptions) {}

  /** Count channels across the sip nodes from now on (the sip role, once it knows this node's id). */
  shareChannels(ledger: TrunkChannelLedger): void {
    this.ledger = ledger;
  }

  /** Take a new set of trunks (a reload): calls in progress keep their channels on the new lines. */
  replace(lines: readonly TrunkLine[]): void {
    const next = new Map(lines.map((line) => [line.serviceId, line]));
    for (const [id, line] of next) {
      const before = this.lines.get(id);
      if (before) line.inherit(before);
    }
    this.lines = next;
  }

  /** The running trunk of a service. */
  line(serviceId: string): TrunkLine | undefined {
    return this.lines.get(serviceId);
  }

  all(): TrunkLine[] {
    return [...this.lines.values()];
  }

  /**
   * A call from a carrier, when this INVITE is one: to the Contact a registration trunk registered (`contactId`
   * is the registration id the Contact names), or from an address of a trunk. Undefined: not a trunk's call.
   */
  inbound(
    ctx: CallContext,
    incoming: IncomingCall,
    contactId: string | undefined,
  ): TrunkToTeamsCall | undefined {
    const candidates = this.carriersOf(incoming, contactId);
    const first = candidates[0];
    if (!first) return undefined;
    const request = incoming.request;
    const readings = candidates.map((line) => {
      const raw = calledNumberOf(request, line.settings.calledNumberFrom) ?? '';
      return { line, raw, called: fromWire(raw, line.wire) };
    });
    const hold = new TrunkCallHold(first, this.ledger);
    const find = async (): Promise<CallUser | undefined> => {
      const found = await Promise.all(
        readings.map(async (reading) => ({
          ...reading,
          holder: reading.called
            ? await this.options.directory.holderOf(
                reading.line.service.accountId,
                reading.line.serviceId,
                reading.called,
              )
            : ({ kind: 'outside' } as const),
        })),
      );
      const held = found.filter((f) => f.holder.kind === 'user');
      const pick = held[0] ?? found.find((f) => f.holder.kind === 'unassigned') ?? found[0]!;
      // Several customers' trunks may share a carrier's addresses: a number none of them claims is no customer's
      // call to record (it would show one customer another's callers), so it is refused without a record.
      if (pick.holder.kind === 'outside' && found.length > 1) return undefined;
      const { line, holder } = pick;
      hold.line = line;
      const called = pick.called ?? pick.raw;
      const base = this.userBase(line, '', called);
      if (holder.kind === 'outside') return { ...base, refusal: outside(called, line) };
      if (holder.kind === 'unassigned')
        return {
          ...base,
          refusal: refusal(
            'trunk_number_unassigned',
            `${called} is in the range ${holder.range} of the trunk "${line.service.name}", but no Teams user ` +
              'holds it: give it to a user as their trunk number, or ask the carrier to stop sending it.',
          ),
        };
      const user = this.userBase(line, holder.userId, called);
      // A hostile customer could add another's range and carrier address: a number claimed twice goes to neither.
      if (held.length > 1)
        return {
          ...user,
          refusal: refusal(
            'trunk_number_unassigned',
            `${called} is held on more than one trunk that the carrier's address ${incoming.source.address} ` +
              "serves: give each customer's trunk its own numbers, or its own carrier addresses.",
          ),
        };
      const refused = this.refusedBecause(holder.userId, called);
      if (refused) return { ...user, refusal: refused };
      if (!(await hold.take())) return { ...user, refusal: channelsFull(line) };
      return user;
    };
    const { raw, called } = readings[0]!;
    return new TrunkToTeamsCall(
      withDirectory(ctx, find),
      incoming,
      hold,
      called ?? raw,
      callerOf(request, first),
    );
  }

  /** A Teams user's call that leaves through their trunk; undefined when their service has no running trunk. */
  outbound(ctx: CallContext, incoming: IncomingCall, route: Route): TeamsToTrunkCall | undefined {
    const line = this.lines.get(route.serviceId);
    if (!line || line.service.accountId !== route.accountId) return undefined;
    const hold = new TrunkCallHold(line, this.ledger);
    const find = async (): Promise<CallUser | undefined> => {
      const found = await this.options.directory.callerOf(route.accountId, route.serviceId, route.userId);
      if (!found) return undefined;
      const number = found.callerId ?? found.number;
      const user = this.userBase(line, route.userId, found.number);
      if (!number)
        return {
          ...user,
          refusal: refusal(
            'user_not_callable',
            'The user has no trunk number or caller ID to show on the trunk: give them a trunk number.',
          ),
        };
      const refused = this.refusedBecause(route.userId, found.number ?? number);
      if (refused) return { ...user, refusal: refused };
      hold.caller = { number, withheld: withheld(incoming.request) };
      if (!(await hold.take())) return { ...user, refusal: channelsFull(line) };
      return user;
    };
    return new TeamsToTrunkCall(withDirectory(ctx, find), incoming, route, hold);
  }

  /**
   * The refusal of a trunk user's call by the sip role's rule (`user_not_callable`: 403 with a Reason both ways; a
   * carrier takes 403 as final and does not reroute the call to another trunk, where 480/503 would invite a retry
   * that cannot succeed until an administrator acts).
   */
  private refusedBecause(userId: string, number: string): CallRefusal | undefined {
    const why = this.options.refusedBecause?.(userId);
    return why === undefined
      ? undefined
      : refusal('user_not_callable', `The trunk user holding ${number} cannot make or take calls: ${why}`);
  }

  /** The trunks this INVITE may be from: the registration trunk its Contact names, or those sending from its source. */
  private carriersOf(incoming: IncomingCall, contactId: string | undefined): TrunkLine[] {
    const registered = trunkOfRegistrationId(contactId);
    if (registered) return [this.lines.get(registered)].filter((line) => line !== undefined);
    if (contactId !== undefined) return []; // a user's Contact: a PBX call
    return [...this.lines.values()].filter((line) => line.sends(incoming.source.address));
  }

  private userBase(line: TrunkLine, userId: string, number: string | null): CallUser {
    const { settings } = line;
    return {
      userId,
      accountId: line.service.accountId,
      serviceId: line.serviceId,
      number,
      customerFqdn: this.options.customerFqdnOf(line.serviceId),
      pbx: {
        sipDomain: settings.domain,
        transport: settings.transport,
        sipUsername: settings.username ?? '',
        authUsername: settings.authUsername ?? settings.username ?? '',
        password: '', // the trunk leg answers challenges from the line itself
      },
      settings: { ...DEFAULT_CALL_SETTINGS },
    };
  }
}

/** The context of one trunk call: the B2BUA's, with the directory that finds this call's user. */
function withDirectory(ctx: CallContext, find: () => Promise<CallUser | undefined>): CallContext {
  return {
    ...ctx,
    get teams() {
      return ctx.teams;
    },
    directory: { find },
  };
}

function outside(number: string, line: TrunkLine): CallRefusal {
  return refusal(
    'trunk_number_outside_ranges',
    `${number || 'The called number'} is not in any number range of the trunk "${line.service.name}": add its ` +
      `range to the trunk service, or check the trunk's number format (${line.settings.numberFormat}) and where ` +
      `the carrier puts the called number (${line.settings.calledNumberFrom}).`,
  );
}

function channelsFull(line: TrunkLine): CallRefusal {
  return refusal(
    'trunk_channels_full',
    `All ${line.settings.maxChannels} channels of the trunk "${line.service.name}" are in use: raise its ` +
      'maximum channels if the carrier allows more calls at once.',
  );
}

/** The caller as Teams should show it: PAI or From read back to E.164 where it is a number. */
function callerOf(request: SipRequest, line: TrunkLine): string {
  for (const header of ['P-Asserted-Identity', 'From']) {
    const user = userOf(request.headers.first(header));
    if (user) return fromWire(user, line.wire) ?? user;
  }
  return 'anonymous';
}

/** The Teams caller withheld their number (Privacy: id, or an anonymous From). */
function withheld(request: SipRequest): boolean {
  const privacy = request.headers.get('Privacy') ?? '';
  return /\bid\b/i.test(privacy) || /anonymous/i.test(request.headers.get('From') ?? '');
}
