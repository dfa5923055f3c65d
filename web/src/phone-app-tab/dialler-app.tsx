import { AsYouType, type CountryCode } from 'libphonenumber-js';
import { useEffect, useState } from 'react';
import { CallProgress, type CallState } from './call-progress.js';
import { ContactsPanel } from './contacts-panel.js';
import { Keypad } from './keypad.js';
import { NumberField } from './number-field.js';
import { RecentCalls } from './recent-calls.js';
import { tabApi, type Profile } from './tab-api.js';
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
  const place = async () => {
    const shown = new AsYouType((profile.country ?? undefined) as CountryCode | undefined).input(number);
    setCall({ phase: 'requesting', number: shown });
    try {
      await tabApi('POST', 'calls', { number });
    } catch (e: unknown) {
      setCall({ phase: 'failed', number: shown, message: e instanceof Error ? e.message : String(e) });
    }
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
              disabled={number.length === 0 || call.phase === 'requesting'}
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
          <CallProgress state={call} />
        </section>
        <div className="side">
          <ContactsPanel onPick={setNumber} />
          <RecentCalls />
        </div>
      </div>
    </main>
  );
}
