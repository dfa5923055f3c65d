import { SipHeaders } from '../message/sip-headers.js';
import { parseCSeq, type SipRequest, type SipResponse } from '../message/sip-message.js';
import { ownText } from '../message/message.parser.js';
import { parseNameAddr, parseSipUri, type SipUri } from '../message/sip-uri.js';
import type { SipSource } from '../transport/transport.types.js';

/** Dialog states (RFC 3261 section 12): early after a 1xx with a To-tag, confirmed after a 2xx. */
export type DialogState = 'early' | 'confirmed' | 'terminated';

/**
 * One dialog (RFC 3261 section 12): the Call-ID and both tags identify it; it keeps the local and remote URIs and
 * sequence numbers, the remote target (the peer's Contact) and the route set (Record-Route, reversed on the UAC
 * side), and the connection it came on, so that in-dialog requests reuse a connection the peer opened itself.
 */
export interface Dialog {
  readonly id: string;
  readonly role: 'uac' | 'uas';
  state: DialogState;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** From (UAC) or To (UAS) of the INVITE, as a name-addr without tag. */
  readonly localUri: string;
  readonly remoteUri: string;
  localSeq: number;
  /** Highest CSeq seen from the peer; undefined until it sends a request (UAC side). */
  remoteSeq: number | undefined;
  /** The peer's Contact URI, updated by target refreshes (re-INVITE, its 2xx). */
  remoteTarget: string;
  /** Route headers for in-dialog requests, in sending order. */
  readonly routeSet: readonly string[];
  /** The connection (flow) the dialog was set up on, reused for its requests while open. */
  flow: SipSource | undefined;
}

/** `callId|localTag|remoteTag`: how in-dialog messages find their dialog. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** The tag parameter of a From or To value; undefined when absent or unparsable. */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).params.get('tag') || undefined;
  } catch {
    return undefined;
  }
}

/** A name-addr value without its tag, kept as the dialog's local or remote URI. */
function withoutTag(value: string): string {
  return value.replace(/;\s*tag=[^;>\s]*/i, '');
}

/** The URI inside a Contact value; undefined when absent. */
export function contactUri(message: SipRequest | SipResponse): string | undefined {
  const contact = message.headers.first('Contact');
  if (contact === undefined) return undefined;
  try {
    return formatUriText(parseNameAddr(contact).uri, contact);
  } catch {
    return undefined;
  }
}

/** Keep the URI as written (Microsoft's Contact parameters are opaque): the text between < and >. */
function formatUriText(_uri: SipUri, raw: string): string {
  const lt = raw.indexOf('<');
  const gt = raw.indexOf('>', lt);
  return lt >= 0 && gt > lt ? raw.slice(lt + 1, gt).trim() : raw.split(';')[0]!.trim();
}

/** The dialog a UAC gets from a 1xx (with To-tag) or 2xx to its INVITE (RFC 3261 section 12.1.2). */
export function uacDialog(invite: SipRequest, response: SipResponse, flow?: SipSource): Dialog | undefined {
  const tag = tagOf(response.headers.get('To'));
  const localTag = tagOf(invite.headers.get('From'));
  const callId = invite.headers.get('Call-ID') ?? '';
  if (tag === undefined || localTag === undefined) return undefined;
  // A copy before it goes into the id too: the id (the dialog table's key) kept the 18x's whole text (heap snapshot).
  const remoteTag = ownText(tag);
  return {
    id: dialogKey(callId, localTag, remoteTag),
    role: 'uac',
    state: response.status < 200 ? 'early' : 'confirmed',
    callId,
    localTag,
    remoteTag,
    localUri: withoutTag(invite.headers.get('From') ?? ''),
    remoteUri: ownText(withoutTag(response.headers.get('To') ?? '')),
    localSeq: parseCSeq(invite.headers.get('CSeq'))?.seq ?? 1,
    remoteSeq: undefined,
    remoteTarget: ownText(contactUri(response) ?? invite.uri),
    routeSet: response.headers
      .getList('Record-Route')
      .reverse()
      .map((route) => ownText(route)),
    flow,
  };
}

/** The dialog a UAS creates when it answers an INVITE with a To-tag of its own (RFC 3261 section 12.1.1). */
export function uasDialog(invite: SipRequest, localTag: string, flow?: SipSource): Dialog {
  const callId = invite.headers.get('Call-ID') ?? '';
  const remoteTag = tagOf(invite.headers.get('From')) ?? '';
  return {
    id: dialogKey(callId, localTag, remoteTag),
    role: 'uas',
    state: 'early',
    callId,
    localTag,
    remoteTag,
    localUri: withoutTag(invite.headers.get('To') ?? ''),
    remoteUri: withoutTag(invite.headers.get('From') ?? ''),
    localSeq: 0,
    remoteSeq: parseCSeq(invite.headers.get('CSeq'))?.seq,
    remoteTarget: contactUri(invite) ?? '',
    routeSet: invite.headers.getList('Record-Route'),
    flow,
  };
}

/**
 * A request inside the dialog (RFC 3261 section 12.2.1.1), loose routing: Request-URI is the remote target, the
 * route set goes in Route. ACK and CANCEL reuse a given CSeq number; other methods take the next local one.
 */
export function inDialogRequest(dialog: Dialog, method: string, seq?: number): SipRequest {
  const cseq = seq ?? ++dialog.localSeq;
  const headers = new SipHeaders()
    .append('From', `${dialog.localUri};tag=${dialog.localTag}`)
    .append('To', `${dialog.remoteUri};tag=${dialog.remoteTag}`)
    .append('Call-ID', dialog.callId)
    .append('CSeq', `${cseq} ${method}`);
  for (const route of dialog.routeSet) headers.append('Route', route);
  return { kind: 'request', method, uri: dialog.remoteTarget, headers, body: Buffer.alloc(0) };
}

/** Where an in-dialog request goes first: the top Route's URI, else the remote target. */
export function nextHopUri(request: SipRequest): SipUri {
  const route = request.headers.first('Route');
  return route === undefined ? parseSipUri(request.uri) : parseNameAddr(route).uri;
}
