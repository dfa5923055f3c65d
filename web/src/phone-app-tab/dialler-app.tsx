import { AsYouType, type CountryCode } from 'libphonenumber-js';
import { useEffect, useState } from 'react';
import { CallProgress, type CallState } from './call-progress.js';
import { ContactsPanel } from './contacts-panel.js';
import { Keypad } from './keypad.js';
import { NumberField } from './number-field.js';
import { RecentCalls } from './recent-calls.js';
import { tabApi, type DialProgress, type Profile } from './tab-api.js';
import { connectToTeams } from './teams-host.js';

type Load =
  { state: 'connecting' } | { state: 'ready'; profile: Profile } | { state: 'refused'; message: string };

/** The Phone App tab: connect to Teams, sign in by SSO, then the dialler, contacts and recent calls. */
export function DiallerApp() {
  const [load, setLoad] = useState<Load>({ state: 'connecting' });
  useEffect(() => {
    connectToTeams()
      .then(() => tabApi<Profile>('GET', 'me'))
      .then((profile) => setLoad({ state: 'ready', profile }))
      .catch((e: unknown) =>
        setLoad({ state: 'refused', message: e instanceof Error ? e.message : String(e) }),
      );
  }, []);
  if (load.state === 'connecting') return <p className="muted centre">Connecting to Teams…</p>;
  if (load.state === 'refused')
    return (
      <main className="tab">
        <section className="panel" role="alert">
          <h1>Phone App</h1>
          <p>{load.message}</p>
        </section>
      </main>
    );
  return <Dialler profile={load.profile} />;
}

function Dialler({ profile }: { profile: Profile }) {
  const [number, setNumber] = useState('');
  const [call, setCall] = useState<CallState>({ phase: 'idle' });
  const [callsMade, setCallsMade] = useState(0);
  const live = call.phase === 'live' && call.progress.phase !== 'ended' ? call : undefined;
  const liveId = live?.progress.callId;
  // Follow the call about every second until it ends (the server keeps the outcome after the end).
  useEffect(() => {
    if (!liveId) return;
    const timer = setInterval(() => {
      tabApi<DialProgress>('GET', `calls/${liveId}`)
        .then((progress) => {
          setCall((now) =>
            now.phase === 'live' && now.progress.callId === liveId ? { ...now, progress } : now,
          );
          if (progress.phase === 'ended') setCallsMade((n) => n + 1);
        })
        .catch(() => undefined); // a missed poll is retried at the next tick
    }, 1000);
    return () => clearInterval(timer);
  }, [liveId]);
  const place = async () => {
    const shown = new AsYouType((profile.country ?? undefined) as CountryCode | undefined).input(number);
    setCall({ phase: 'requesting', number: shown });
    try {
      const { callId, number: dialled } = await tabApi<{ callId: string; number: string }>('POST', 'calls', {
        number,
      });
      const progress: DialProgress = {
        callId,
        number: dialled,
        phase: 'calling-teams',
        startedAt: new Date().toISOString(),
      };
      setCall({ phase: 'live', number: shown, progress });
    } catch (e: unknown) {
      setCall({ phase: 'failed', number: shown, message: e instanceof Error ? e.message : String(e) });
    }
  };
  const hangUp = () => {
    if (liveId) void tabApi('DELETE', `calls/${liveId}`).catch(() => undefined);
  };
  return (
    <main className="tab">
      <header className="tab-header">
        <h1>Phone</h1>
        <p className="muted">
          {profile.displayName} · {profile.organisation}
        </p>
      </header>
      <div className="tab-columns">
        <section className="panel dialler" aria-label="Dialler">
          <NumberField value={number} country={profile.country} onChange={setNumber} />
          <Keypad onKey={(key) => setNumber((n) => n + key)} />
          <div className="dial-actions">
            <button
              type="button"
              className="call"
              disabled={number.length === 0 || call.phase === 'requesting' || live !== undefined}
              onClick={() => void place()}
            >
              Call
            </button>
            <button
              type="button"
              className="secondary"
              disabled={number.length === 0}
              aria-label="Delete last digit"
              onClick={() => setNumber((n) => n.slice(0, -1))}
            >
              ⌫
            </button>
          </div>
          <CallProgress state={call} onHangUp={hangUp} />
        </section>
        <div className="side">
          <ContactsPanel onPick={setNumber} />
          <RecentCalls refresh={callsMade} onPick={setNumber} />
        </div>
      </div>
    </main>
  );
}
