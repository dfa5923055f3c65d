import { useEffect, useState } from 'react';
import { tabApi, type RecentCall } from './tab-api.js';

const RESULT_WORDS: Record<string, string> = {
  answered: '',
  busy: 'busy',
  'no-answer': 'no answer',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
  refused: 'refused',
};

/**
 * Recent calls from the call records (newest first): the number, in or out, when, and how it went. `refresh`
 * changes after each call, so a call just made appears; picking one fills the number to call back.
 */
export function RecentCalls({ refresh, onPick }: { refresh: number; onPick: (number: string) => void }) {
  const [calls, setCalls] = useState<RecentCall[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    tabApi<{ calls: RecentCall[] }>('GET', 'calls')
      .then((answer) => current && (setCalls(answer.calls), setError(null)))
      .catch((e: unknown) => current && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      current = false;
    };
  }, [refresh]);
  return (
    <section className="panel" aria-labelledby="recent-heading">
      <h2 id="recent-heading">Recent calls</h2>
      {error && <p className="error">{error}</p>}
      {calls?.length === 0 && (
        <p className="muted">No calls yet. Calls you make from the Phone App will be listed here.</p>
      )}
      {calls && calls.length > 0 && (
        <ul className="recent-list">
          {calls.map((call) => (
            <li key={call.callId}>
              <button type="button" className="link" onClick={() => onPick(call.number)}>
                {call.direction === 'outgoing' ? '↗' : '↙'} {call.number}
              </button>
              <span className="muted">
                {new Date(call.startedAt).toLocaleString()}
                {RESULT_WORDS[call.result] ? ` · ${RESULT_WORDS[call.result]}` : ''}
                {call.durationSeconds > 0 ? ` · ${formatDuration(call.durationSeconds)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function formatDuration(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
