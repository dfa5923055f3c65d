/**
 * The SIP Reason header (RFC 3326) as the call records keep it: `Q.850;cause=16;text="Normal call clearing"`,
 * possibly several comma-separated values (`SIP;cause=480;text="...", Q.850;cause=18`). Hand-written: no
 * maintained npm package parses this one header, and it is a few lines.
 */

export interface ReasonValue {
  /** `Q.850`, `SIP` or another protocol token, as sent. */
  protocol: string;
  cause?: number;
  text?: string;
}

const VALUE = /^\s*([A-Za-z0-9.\-_]+)\s*((?:;[^;]*)*)$/;

/**
 * The values of a Reason header; an unparseable header gives an empty list (the raw text is stored beside it).
 *
 * @example parseReason('Q.850;cause=16;text="Normal call clearing"') // [{ protocol: 'Q.850', cause: 16, text: 'Normal call clearing' }]
 */
export function parseReason(header: string | undefined): ReasonValue[] {
  if (!header) return [];
  const values: ReasonValue[] = [];
  for (const part of splitOutsideQuotes(header, ',')) {
    const match = VALUE.exec(part);
    if (!match) continue;
    const value: ReasonValue = { protocol: match[1]! };
    for (const param of splitOutsideQuotes(match[2] ?? '', ';')) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      const raw = param.slice(eq + 1).trim();
      if (name === 'cause' && /^\d{1,3}$/.test(raw)) value.cause = Number(raw);
      if (name === 'text') value.text = raw.replace(/^"(.*)"$/s, '$1').replace(/\\(.)/g, '$1');
    }
    values.push(value);
  }
  return values;
}

/** The Q.850 cause of a Reason header, when it carries one. */
export function q850CauseOf(header: string | undefined): number | undefined {
  return parseReason(header).find((v) => v.protocol.toUpperCase() === 'Q.850')?.cause;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((p) => p.trim() !== '');
}
