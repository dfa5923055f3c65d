import { useEffect, useState } from 'react';
import { TabApiError, tabApi, type OutlookContact } from './tab-api.js';

const TYPE_LABEL = { business: 'work', mobile: 'mobile', home: 'home' } as const;

/** The user's Outlook contacts, or why they cannot be shown (consent missing names the administrator's step). */
type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; contacts: OutlookContact[] }
  | { kind: 'consent'; message: string }
  | { kind: 'failed'; message: string };

/**
 * The user's Outlook contacts (read through Microsoft on their behalf), fetched once when the tab opens and
 * searched here as the user types: the server keeps none of them, so each search does not ask Microsoft again.
 */
export function OutlookContacts({ search, onPick }: { search: string; onPick: (number: string) => void }) {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });

  useEffect(() => {
    let current = true;
    tabApi<{ contacts: OutlookContact[] }>('GET', 'contacts')
      .then((answer) => current && setLoaded({ kind: 'ready', contacts: answer.contacts }))
      .catch((e: unknown) => {
        if (!current) return;
        const message = e instanceof Error ? e.message : String(e);
        const consent = e instanceof TabApiError && e.details.reason === 'consent_required';
        setLoaded({ kind: consent ? 'consent' : 'failed', message });
      });
    return () => {
      current = false;
    };
  }, []);

  if (loaded.kind === 'loading') return <p className="muted">Loading your Outlook contacts…</p>;
  if (loaded.kind === 'consent')
    return (
      <p className="notice" role="status">
        {loaded.message}
      </p>
    );
  if (loaded.kind === 'failed')
    return (
      <p role="alert" className="error">
        {loaded.message}
      </p>
    );
  const term = search.trim().toLowerCase();
  const digits = term.replace(/[^\d+]/g, '');
  const shown = loaded.contacts.filter(
    (c) =>
      !term ||
      c.displayName.toLowerCase().includes(term) ||
      (digits.length > 2 &&
        c.phones.some((p) => (p.number ?? p.display).replace(/[^\d+]/g, '').includes(digits))),
  );
  if (shown.length === 0)
    return (
      <p className="muted">{term ? 'No Outlook contact matches.' : 'No Outlook contact has a number.'}</p>
    );
  return (
    <ul className="contacts" aria-label="Outlook contacts">
      {shown.map((c) => (
        <li key={c.id}>
          <span className="contact-name">{c.displayName}</span>
          <span className="contact-phones">
            {c.phones.map((p) => (
              <button
                key={`${p.type}-${p.display}`}
                type="button"
                className="link"
                disabled={p.number === null}
                title={p.number === null ? 'Not a phone number' : `Call ${p.number}`}
                onClick={() => p.number && onPick(p.number)}
              >
                {p.display} <span className="muted">({TYPE_LABEL[p.type]})</span>
              </button>
            ))}
          </span>
        </li>
      ))}
    </ul>
  );
}
