import type { EdgeRouteLookup } from '../../edge/teams-edge.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import type { CallContext } from '../call-context.js';
import type { CallResult } from '../call-record.types.js';
import type { PbxCallRequest, PbxLeg } from '../pbx-leg.js';
import { TeamsToPbxCall } from '../teams-to-pbx.call.js';
import type { TrunkCallHold } from './trunk-calls.types.js';
import { TrunkLeg } from './trunk-leg.js';

type Route = Extract<EdgeRouteLookup, { kind: 'found' }>;

/**
 * A trunk user's call from Teams out through their carrier trunk (issue 19): bridged like a call to a PBX, but the
 * leg is the trunk's (`TrunkLeg`: numbers in the trunk's format, caller ID and PAI, the trunk's credentials,
 * failover across its addresses), and the call holds a trunk channel for its life.
 *
 * @example b2bua.run(new TeamsToTrunkCall(trunkCtx, incoming, route, hold));
 */
export class TeamsToTrunkCall extends TeamsToPbxCall {
  constructor(
    ctx: CallContext,
    incoming: IncomingCall,
    route: Route,
    private readonly hold: TrunkCallHold,
  ) {
    super(ctx, incoming, route);
  }

  protected override pbxLeg(request: PbxCallRequest): PbxLeg {
    const caller = this.hold.caller ?? { number: this.from, withheld: false };
    return new TrunkLeg(request, this.hold.line, caller);
  }

  protected override async finish(result: CallResult): Promise<void> {
    this.hold.release();
    await super.finish(result);
  }
}
