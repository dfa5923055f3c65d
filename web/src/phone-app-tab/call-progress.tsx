/** Where a call stands, as the dialler shows it. */
export type CallState =
  | { phase: 'idle' }
  | { phase: 'requesting'; number: string }
  | { phase: 'failed'; number: string; message: string };

/** The call's progress: asking Callbridge, then (once the call path exists) ringing in Teams and connected. */
export function CallProgress({ state }: { state: CallState }) {
  if (state.phase === 'idle') return null;
  return (
    <section
      className={`progress progress-${state.phase}`}
      aria-live="polite"
      role={state.phase === 'failed' ? 'alert' : 'status'}
    >
      {state.phase === 'requesting' && <p>Asking for a call to {state.number}…</p>}
      {state.phase === 'failed' && (
        <>
          <p className="progress-title">The call to {state.number} was not placed</p>
          <p>{state.message}</p>
        </>
      )}
    </section>
  );
}
