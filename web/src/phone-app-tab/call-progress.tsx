import type { DialProgress } from './tab-api.js';

/** Where a call stands, as the dialler shows it. */
export type CallState =
  | { phase: 'idle' }
  | { phase: 'requesting'; number: string }
  | { phase: 'live'; number: string; progress: DialProgress }
  | { phase: 'failed'; number: string; message: string };

const RESULTS: Record<string, string> = {
  answered: 'Call ended',
  busy: 'The number was busy',
  'no-answer': 'No answer',
  declined: 'The call was declined',
  cancelled: 'Call cancelled',
  failed: 'The call failed',
  refused: 'The call was refused',
};

/** What to say for each step of a click-to-dial call (the server's phases). */
function stepText(progress: DialProgress, number: string): { title: string; detail?: string } {
  switch (progress.phase) {
    case 'calling-teams':
      return { title: 'Answer in Teams', detail: `Teams is ringing you now; answer it to call ${number}.` };
    case 'connecting':
      return { title: `Calling ${number}…` };
    case 'ringing':
      return { title: `${number} is ringing` };
    case 'answered':
      return { title: `Connected to ${number}`, detail: 'Talk in Teams; hang up there or here.' };
    case 'ended':
      return {
        title: RESULTS[progress.result ?? 'failed'] ?? 'Call ended',
        ...(progress.failure && { detail: progress.failure.message }),
      };
  }
}

/** The call's progress: asking Callbridge, Teams ringing the user, the number ringing, connected, ended. */
export function CallProgress({ state, onHangUp }: { state: CallState; onHangUp: () => void }) {
  if (state.phase === 'idle') return null;
  const failed =
    state.phase === 'failed' ||
    (state.phase === 'live' && state.progress.phase === 'ended' && state.progress.result !== 'answered');
  return (
    <section
      className={`progress ${failed ? 'progress-failed' : ''}`}
      aria-live="polite"
      aria-label="Call progress"
      role={failed ? 'alert' : 'status'}
    >
      {state.phase === 'requesting' && <p>Asking for a call to {state.number}…</p>}
      {state.phase === 'failed' && (
        <>
          <p className="progress-title">The call to {state.number} was not placed</p>
          <p>{state.message}</p>
        </>
      )}
      {state.phase === 'live' && <LiveCall state={state} onHangUp={onHangUp} />}
    </section>
  );
}

function LiveCall({
  state,
  onHangUp,
}: {
  state: Extract<CallState, { phase: 'live' }>;
  onHangUp: () => void;
}) {
  const { title, detail } = stepText(state.progress, state.number);
  return (
    <>
      <p className="progress-title" data-phase={state.progress.phase}>
        {title}
      </p>
      {detail && <p>{detail}</p>}
      {state.progress.phase !== 'ended' && (
        <button type="button" className="hang-up" onClick={onHangUp}>
          Hang up
        </button>
      )}
    </>
  );
}
