import { useState } from 'react';
import { useImports } from '../api/rollback-queries.js';
import type { ImportRecord } from '../api/types.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { RollbackDialog } from '../sync/rollback-dialog.js';

/** The account's applied CSV imports, newest first, each with "Roll back" (its plan first). */
export function ImportHistory({ accountId, canUndo }: { accountId: string; canUndo: boolean }) {
  const imports = useImports(accountId);
  const [rollingBack, setRollingBack] = useState<ImportRecord>();
  return (
    <section className="card" aria-labelledby="import-history-heading">
      <h2 id="import-history-heading">Import history</h2>
      {imports.isPending && <Loading label="Loading the import history" />}
      <ErrorNotice error={imports.error} />
      {imports.data?.length === 0 && <p className="empty">No imports applied yet.</p>}
      {imports.data && imports.data.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Applied imports, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Applied</th>
                <th scope="col">By</th>
                <th scope="col">Users</th>
                <th scope="col">
                  <span className="visually-hidden">Roll back</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {imports.data.map((record) => (
                <tr key={record.id}>
                  <td data-label="Applied">{new Date(record.at).toLocaleString()}</td>
                  <td data-label="By">{record.actorLabel}</td>
                  <td data-label="Users">{record.users}</td>
                  <td>
                    {canUndo && (
                      <button type="button" className="button-small" onClick={() => setRollingBack(record)}>
                        Roll back
                        <span className="visually-hidden">
                          {' '}
                          the import of {new Date(record.at).toLocaleString()}
                        </span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rollingBack && (
        <RollbackDialog
          accountId={accountId}
          target={{ kind: 'import', id: rollingBack.id }}
          title={`Roll back the import of ${new Date(rollingBack.at).toLocaleString()}`}
          onClose={() => setRollingBack(undefined)}
        />
      )}
    </section>
  );
}
