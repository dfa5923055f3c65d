import { tagOf } from '../sip/dialog/dialog.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import type { TransferableCall } from './transfer.js';

/**
 * An INVITE with Replaces from Teams (RFC 3891; call queues, consultative transfers, CALLS.md "Accept INVITE with
 * Replaces") naming the Teams leg of a bridged call: the new Teams dialog takes that leg's place. Its offer goes
 * through the relay toward the PBX (a relay call keyed by the new Call-ID), the PBX leg is re-INVITEd with it,
 * the PBX's answer goes back through the relay to Teams in our 200, and the replaced Teams dialog gets our BYE
 * (section 6: the UAS that accepts the Replaces ends the replaced dialog). Refused: a call not answered (481, as
 * for a dialog we no longer have), the relay refusing the offer (488), the PBX refusing the re-INVITE (its
 * status, 488 for anything but 491).
 *
 * @example if (incoming.replaces) await replaceFromTeams(call, incoming);
 */
export async function replaceFromTeams(call: TransferableCall, incoming: IncomingCall): Promise<void> {
  const { ctx } = call;
  const pbxDialog = call.midCall.dialogOf('pbx');
  if (!call.isUp() || !pbxDialog) return incoming.reject(481);
  const request = incoming.request;
  const callId = request.headers.get('Call-ID') ?? '';
  const teamsTag = tagOf(request.headers.get('From')) ?? '';
  const media = { callId, tags: { teams: teamsTag, pbx: incoming.localTag } };
  const sdp = request.body.toString();
  const offer = await ctx.relay
    .offer({ callId, fromTag: teamsTag, sdp, toward: 'pbx' })
    .catch((error: unknown) => ctx.onError(error, 'Replaces: relay offer'));
  if (offer === undefined) return incoming.reject(488);
  const pbxAnswer = await ctx
    .endpointOf('pbx')
    .dialogs.reinvite(pbxDialog, Buffer.from(offer))
    .catch(() => undefined);
  if (!pbxAnswer || pbxAnswer.status >= 300 || !call.isUp()) {
    await ctx.relay.delete(callId).catch(() => undefined);
    return incoming.reject(pbxAnswer?.status === 491 ? 491 : 488);
  }
  const answered = pbxAnswer.body.toString();
  const towardTeams = await ctx.relay
    .answer({ callId, fromTag: teamsTag, toTag: incoming.localTag, sdp: answered, toward: 'teams' })
    .catch((error: unknown) => ctx.onError(error, 'Replaces: relay answer'));
  if (towardTeams === undefined) return incoming.reject(503);
  const accepted = incoming.accept({ body: Buffer.from(towardTeams) });
  const dialog = incoming.dialog;
  if (!dialog) return;
  call.midCall.sdpFrom.teams = sdp;
  if (answered.length > 0) call.midCall.sdpFrom.pbx = answered;
  await call.replaceTeamsLeg(
    { dialog, sipCallId: callId, peer: `${incoming.source.address}:${incoming.source.port}`, media },
    0,
  );
  // No ACK: the dialog layer BYEs the new dialog itself, and its end ends the call (it is the call's now).
  await accepted.catch(() => undefined);
}
