import type { Call } from './call-types.js';

export const RESULT_LABELS: Record<Call['result'], string> = {
  answered: 'Answered',
  busy: 'Busy',
  'no-answer': 'No answer',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
  refused: 'Refused',
};

/** `mm:ss` of a duration in ms. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A time in the reader's locale, to the second. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** The result with its code, e.g. `Failed (404)`, `Declined (603)`. */
export function resultText(call: Call): string {
  const code = call.finalStatus && call.finalStatus !== 200 ? ` (${call.finalStatus})` : '';
  return `${RESULT_LABELS[call.result]}${code}`;
}
