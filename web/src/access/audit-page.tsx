import { useState } from 'react';
import { useAuditLog } from '../api/access-queries.js';
import { v1 } from '../api/queries.js';
import type { AuditEntry } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { formatWhen } from './role-labels.js';

/** The object types the log records, as administrators call them. */
export const OBJECT_TYPES: Record<string, string> = {
  account: 'Account',
  administrator: 'Administrator and roles',
  invitation: 'Invitation',
  subscription: 'Subscription',
  service: 'Service',
  user: 'User',
  tenant_connection: 'Microsoft 365 connection',
  number_range: 'Number range',
  service_number: 'Service number',
  api_token: 'API token',
};

const SOURCES: Record<string, string> = {
  portal: 'Portal',
  api: 'API',
  cli: 'Command line',
  sync: 'Sync',
  worker: 'Worker',
};

/** Account → Audit log: every change with who, when, from where and on what; filtered, paged, exported. */
export function AuditPage({ accountId }: { accountId: string }) {
  const [objectType, setObjectType] = useState('');
  const log = useAuditLog(accountId, objectType);
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];
  const exportUrl = (format: 'csv' | 'jsonl') => {
    const query = new URLSearchParams({ format, ...(objectType && { objectType }) });
    return `${v1(`/accounts/${accountId}/audit/export`)}?${query.toString()}`;
  };
  return (
    <section className="page page-wide">
      <div className="page-head">
        <PageTitle title="Audit log">Audit log</PageTitle>
        <div className="actions actions-tight">
          <a className="button" href={exportUrl('csv')} download>
            Export CSV
          </a>
          <a className="button" href={exportUrl('jsonl')} download>
            Export JSON lines
          </a>
        </div>
      </div>
      <div className="filters filters-narrow" role="search" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-object-type">Object type</label>
          <select id="audit-object-type" value={objectType} onChange={(e) => setObjectType(e.target.value)}>
            <option value="">All objects</option>
            {Object.entries(OBJECT_TYPES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {log.isPending && <Loading label="Loading the audit log" />}
      <ErrorNotice error={log.error} />
      {log.data && entries.length === 0 && (
        <p className="empty" role="status">
          {objectType ? 'No changes of this kind recorded.' : 'No changes recorded yet.'}
        </p>
      )}
      {entries.length > 0 && <AuditTable entries={entries} />}
      {log.hasNextPage && (
        <div className="actions">
          <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
            {log.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className="table-wrap">
      <table className="data-table audit-table">
        <caption className="visually-hidden">Audit log entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Who</th>
            <th scope="col">Source</th>
            <th scope="col">Action</th>
            <th scope="col">Object</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td data-label="Time" className="col-when">
                <time dateTime={e.at}>{formatWhen(e.at)}</time>
              </td>
              <td data-label="Who" className="col-email">
                {e.actor.label}
              </td>
              <td data-label="Source">{SOURCES[e.actor.source] ?? e.actor.source}</td>
              <td data-label="Action">
                <code>{e.action}</code>
              </td>
              <td data-label="Object">
                {OBJECT_TYPES[e.objectType] ?? e.objectType}{' '}
                <span className="muted mono" title={e.objectId}>
                  {objectLabel(e)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A readable name for the object when the snapshot has one (email, name), else the start of its id. */
function objectLabel(entry: AuditEntry): string {
  const snapshot = entry.after ?? entry.before ?? {};
  for (const key of ['email', 'displayName', 'name', 'sku']) {
    const value = snapshot[key];
    if (typeof value === 'string' && value) return value;
  }
  return entry.objectId.slice(0, 8);
}
