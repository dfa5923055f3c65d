/**
 * A trunk service's SIP trunk as the services and the sip role see it (issue 19): how it authenticates, where it
 * is, how numbers are written on its wire, and what the sip role last saw of it.
 */
import type { SipTransport } from './records.js';

export type TrunkKind = 'registration' | 'ip';
export type TrunkNumberFormat = 'e164' | 'e164-no-plus' | 'national';
export type CalledNumberSource = 'request-uri' | 'to' | 'diversion' | 'history-info';

/** One carrier address; port null means the transport's default. */
export interface TrunkAddress {
  host: string;
  port: number | null;
}

/** OPTIONS health of one trunk address. */
export interface TrunkAddressHealth {
  address: string;
  healthy: boolean;
  checkedAt: string;
  reason: string | null;
}

/** The stored settings of one trunk (the password still sealed). */
export interface TrunkSettings {
  serviceId: string;
  accountId: string;
  kind: TrunkKind;
  domain: string;
  addresses: TrunkAddress[];
  transport: SipTransport;
  username: string | null;
  authUsername: string | null;
  passwordEnc: string | null;
  numberFormat: TrunkNumberFormat;
  numberPrefix: string;
  calledNumberFrom: CalledNumberSource;
  assertIdentity: boolean;
  maxChannels: number | null;
  codecs: string[];
  registrationState: string | null;
  registrationDetail: Record<string, unknown> | null;
  health: TrunkAddressHealth[];
  stateUpdatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `host:port` of an address as the health and the API name it. */
export function addressLabel(address: TrunkAddress, transport: SipTransport): string {
  return `${address.host}:${address.port ?? (transport === 'tls' ? 5061 : 5060)}`;
}
