import { useEffect, useState } from 'react';
import { OutlookContacts } from './outlook-contacts.js';
import { tabApi, type Contact } from './tab-api.js';

/**
 * Contacts: the user's own Outlook contacts and the organisation's directory (synced users with a number), one
 * search for both; picking a number fills the number field.
 */
export function ContactsPanel({ onPick }: { onPick: (number: string) => void }) {
  const [search, setSearch] = useState('');
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      const query = search.trim() ? `?search=${encodeURIComponent(search.trim())}` : '';
      tabApi<{ contacts: Contact[] }>('GET', `directory${query}`)
        .then((answer) => current && (setContacts(answer.contacts), setError(null)))
        .catch((e: unknown) => current && setError(e instanceof Error ? e.message : String(e)));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search]);

  return (
    <section className="panel" aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">Contacts</h2>
      <input
        type="search"
        aria-label="Search contacts"
        placeholder="Search contacts"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <h3 className="subhead">Outlook</h3>
      <OutlookContacts search={search} onPick={onPick} />
      <h3 className="subhead">Your organisation</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {contacts === null && !error && <p className="muted">Loading contacts…</p>}
      {contacts?.length === 0 && <p className="muted">No one in your organisation matches.</p>}
      <ul className="contacts">
        {contacts?.map((c) => (
          <li key={c.id}>
            <span className="contact-name">{c.displayName}</span>
            {c.phoneNumber ? (
              <button type="button" className="link" onClick={() => onPick(c.phoneNumber ?? '')}>
                {c.phoneNumber}
                {c.extension ? ` ext. ${c.extension}` : ''}
              </button>
            ) : (
              <span className="muted">no number</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
