import { useState } from 'react';
import type { LadderEntry } from './call-types.js';

/** Column of each party: the PBX on the left, Callbridge in the middle, Microsoft (Teams) on the right. */
const FROM_TO: Record<LadderEntry['leg'], Record<LadderEntry['direction'], [number, number]>> = {
  pbx: { in: [0, 1], out: [1, 0] },
  teams: { in: [2, 1], out: [1, 2] },
};

/**
 * The SIP ladder as a diagram: three lifelines (PBX, Callbridge, Teams) and one arrow per message with its first
 * line; a click on a message shows the whole message (secrets already removed) below it.
 */
export function LadderDiagram({ entries }: { entries: LadderEntry[] }) {
  const [open, setOpen] = useState<number | undefined>(undefined);
  const start = entries[0] ? Date.parse(entries[0].at) : 0;
  return (
    <div className="ladder" role="list" aria-label="SIP ladder">
      <div className="ladder-heads" aria-hidden="true">
        <span>PBX</span>
        <span>Callbridge</span>
        <span>Teams</span>
      </div>
      {entries.map((entry, i) => {
        const [from, to] = FROM_TO[entry.leg][entry.direction];
        const left = Math.min(from, to);
        const rightward = to > from;
        const offset = Number.isNaN(Date.parse(entry.at))
          ? ''
          : `+${((Date.parse(entry.at) - start) / 1000).toFixed(3)} s`;
        const failed = /^SIP\/2\.0 [4-6]\d\d/.test(entry.summary);
        return (
          <div key={i} role="listitem" className="ladder-item">
            <button
              type="button"
              className={`ladder-row${failed ? ' ladder-failed' : ''}`}
              aria-expanded={open === i}
              onClick={() => setOpen(open === i ? undefined : i)}
            >
              <span className="ladder-time">{offset}</span>
              <span
                className={`ladder-arrow ladder-span-${left} ${rightward ? 'ladder-right' : 'ladder-left'}`}
              >
                <span className="ladder-label">{entry.summary}</span>
              </span>
            </button>
            {open === i && <pre className="ladder-body">{entry.text}</pre>}
          </div>
        );
      })}
    </div>
  );
}
