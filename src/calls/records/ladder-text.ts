/** A call's ladder as a text file to download (and attach to a support ticket): a header, then each message. */
import type { LadderEntry } from '../call-record.types.js';
import type { CallRecord } from './call-record.js';

export function ladderAsText(record: CallRecord, entries: readonly LadderEntry[]): string {
  const lines = [
    `Call ${record.id} (${record.direction}) from ${record.from} to ${record.to}`,
    `Started ${record.startedAt}, ended ${record.endedAt}: ${record.result}${record.finalStatus ? ` (${record.finalStatus})` : ''}`,
    'Secrets (digest responses, SRTP keys, tokens, passwords) were removed before the ladder was stored.',
    '',
  ];
  for (const entry of entries) {
    const arrow =
      entry.direction === 'in'
        ? `${entry.leg.toUpperCase()} -> Callbridge`
        : `Callbridge -> ${entry.leg.toUpperCase()}`;
    lines.push(
      `=== ${entry.at}  ${arrow}  ${entry.summary}`,
      entry.text.replace(/\r\n/g, '\n').trimEnd(),
      '',
    );
  }
  return lines.join('\n');
}
