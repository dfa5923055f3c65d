import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import type { PresentedCaller } from '../caller-id.js';
import type { CallContext } from '../call-context.js';
import type { CallUser } from '../call-user.js';
import type { CallResult, LiveCallInfo } from '../call-record.types.js';
import { PbxToTeamsCall } from '../pbx-to-teams.call.js';
import type { TrunkCallHold } from './trunk-calls.types.js';

/**
 * A call from the carrier to a Teams user (issue 19): the bridging is a PBX call's (the Teams leg, relay, ring
 * timeout, CANCEL, answer mapping); what differs is who the user is (the holder of the called number within the
 * trunk's ranges, found by the trunk directory given in `ctx`), the numbers shown (E.164 as read from the
 * trunk's wire), and the trunk channel held for the call's life.
 *
 * @example b2bua.run(new TrunkToTeamsCall(trunkCtx, incoming, hold, '+441235123465', '+441632960001'));
 */
export class TrunkToTeamsCall extends PbxToTeamsCall {
  constructor(
    ctx: CallContext,
    incoming: IncomingCall,
    private readonly hold: TrunkCallHold,
    called: string,
    private readonly caller: string,
  ) {
    super(ctx, incoming, '');
    this.to = called;
    this.from = caller;
  }

  /** The caller as the trunk's number format read them (E.164 already), with the privacy they asked for. */
  protected override presentedCaller(user: CallUser): PresentedCaller {
    return { ...super.presentedCaller(user), number: this.caller };
  }

  /** A call to a number nobody holds has no user: the record names the trunk's account and service only. */
  override info(): LiveCallInfo | undefined {
    const info = super.info();
    if (info?.userId === '') delete info.userId;
    return info;
  }

  protected override async finish(result: CallResult): Promise<void> {
    this.hold.release();
    await super.finish(result);
  }
}
