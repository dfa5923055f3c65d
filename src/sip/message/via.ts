import { parseError } from '../sip.error.js';
import { formatParams, parseParams } from './sip-uri.js';

/** RFC 3261 magic cookie that starts every branch we create (section 8.1.1.7). */
export const BRANCH_COOKIE = 'z9hG4bK';

/** One Via value: `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;rport`. */
export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
}

const VIA =
  /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$/i;

/** Parse one Via value (already split from a comma list). */
export function parseVia(text: string): Via {
  const match = VIA.exec(text.trim());
  if (!match) throw parseError(`bad Via: "${text.slice(0, 80)}"`);
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65535) throw parseError(`Via port out of range: ${port}`);
  return {
    transport: match[1]!.toUpperCase(),
    host: match[2]!.toLowerCase(),
    port,
    params: parseParams(match[4] ?? ''),
  };
}

/**
 * Check one Via value exactly as `parseVia` would, without building its parameter Map: the parser checks the top
 * Via of every message it accepts, and for most of them (responses to our requests) nothing reads it further.
 */
export function checkVia(text: string): void {
  const match = VIA.exec(text.trim());
  if (!match) throw parseError(`bad Via: "${text.slice(0, 80)}"`);
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65535) throw parseError(`Via port out of range: ${port}`);
}

/** Render a Via value. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
