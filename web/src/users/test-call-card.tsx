import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useStartTestCall, useTestCall, type TestCall } from '../api/test-call-queries.js';
import type { User } from '../api/types.js';
import { ErrorNotice } from '../components/status.js';
import { Link } from '../router.js';

const PHASES: Record<TestCall['phase'], string> = {
  calling: 'Calling…',
  ringing: 'Ringing in Teams…',
  answered: 'Answered: playing a tone…',
  ended: 'Ended',
};

const RESULTS: Record<NonNullable<TestCall['result']>, string> = {
  answered: 'Answered',
  busy: 'Busy',
  declined: 'Declined',
  'no-answer': 'No answer',
  failed: 'Failed',
};

/**
 * "Test call": rings the user's Teams client from the PBX side (the B2BUA's real path) with a tone, and shows the
 * progress, then the result with the call record's failure advice. Offered once the user is registered, since the
 * call rings the Contact Callbridge registered for them.
 */
export function TestCallCard({ accountId, user }: { accountId: string; user: User }) {
  const [testCallId, setTestCallId] = useState<string | undefined>();
  const start = useStartTestCall(accountId, user.id);
  const progress = useTestCall(accountId, user.id, testCallId);
  const call = progress.data ?? start.data;
  const running = start.isPending || (call !== undefined && call.phase !== 'ended');
  // The ended call is in the call log below: read it again.
  const client = useQueryClient();
  const ended = progress.data?.phase === 'ended';
  useEffect(() => {
    if (ended) void client.invalidateQueries({ queryKey: ['calls', accountId] });
  }, [ended, client, accountId]);
  const registered = user.registrationState === 'registered' || user.registrationState === 'expiring';
  return (
    <section className="card" aria-labelledby="test-call-heading">
      <h2 id="test-call-heading">Test call</h2>
      <p className="muted">
        Rings {user.displayName} in Teams from the PBX side and plays a tone for 5 seconds.
      </p>
      <button
        type="button"
        className="button-small"
        disabled={running || !registered}
        onClick={() => start.mutate(undefined, { onSuccess: (started) => setTestCallId(started.id) })}
      >
        Test call
      </button>
      {!registered && <p className="muted">Available once the user is registered to the PBX.</p>}
      {call && <TestCallStatus accountId={accountId} call={call} />}
      <ErrorNotice error={start.error ?? progress.error} />
    </section>
  );
}

function TestCallStatus({ accountId, call }: { accountId: string; call: TestCall }) {
  if (call.phase !== 'ended')
    return (
      <p role="status" aria-live="polite">
        {PHASES[call.phase]}
      </p>
    );
  return (
    <div role="status" aria-live="polite">
      <p>
        Result: <strong>{RESULTS[call.result ?? 'failed']}</strong>
        {call.finalStatus !== undefined && <span className="muted"> (SIP {call.finalStatus})</span>}
      </p>
      {call.audio && (
        <p className="muted">
          Tone sent: {call.audio.sent} packets; audio received from Teams: {call.audio.received} packets.
        </p>
      )}
      {call.result !== 'answered' && call.reason && <p className="muted">{call.reason}</p>}
      {call.advice && (
        <div className="notice notice-warn">
          <p>
            <strong>{call.advice.title}</strong>
          </p>
          <ol>
            {call.advice.steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
          <p>
            <Link to={call.advice.fix.path}>Open what to fix</Link>
          </p>
        </div>
      )}
      {call.callRecordId && (
        <p>
          <Link to={`/accounts/${accountId}/calls/${call.callRecordId}`}>Open the call record</Link>
        </p>
      )}
    </div>
  );
}
