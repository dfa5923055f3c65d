import { PAGE_SIZES, type UsersView } from './users-query.js';

/**
 * Where in the list the page is, first/previous/next/last, and the page size. Shown above the table (so the
 * keyboard reaches it before fifty rows) and, buttons only, below it.
 */
export function Pager({
  total,
  view,
  update,
  placement,
}: {
  total: number;
  view: UsersView;
  update: (patch: Partial<UsersView>) => void;
  placement: 'top' | 'bottom';
}) {
  const pages = Math.max(1, Math.ceil(total / view.pageSize));
  const first = total === 0 ? 0 : (view.page - 1) * view.pageSize + 1;
  const last = Math.min(total, view.page * view.pageSize);
  return (
    <nav className={`pager pager-${placement}`} aria-label={`Pages of users (${placement})`}>
      {placement === 'top' && (
        <p className="pager-status" role="status">
          {total === 0
            ? 'No users'
            : `${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`}
        </p>
      )}
      <div className="pager-buttons">
        <button type="button" disabled={view.page <= 1} onClick={() => update({ page: 1 })}>
          First
        </button>
        <button type="button" disabled={view.page <= 1} onClick={() => update({ page: view.page - 1 })}>
          Previous
        </button>
        <span className="pager-page">
          Page {view.page.toLocaleString()} of {pages.toLocaleString()}
        </span>
        <button type="button" disabled={view.page >= pages} onClick={() => update({ page: view.page + 1 })}>
          Next
        </button>
        <button type="button" disabled={view.page >= pages} onClick={() => update({ page: pages })}>
          Last
        </button>
      </div>
      {placement === 'top' && <PageSize view={view} update={update} />}
    </nav>
  );
}

function PageSize({ view, update }: { view: UsersView; update: (patch: Partial<UsersView>) => void }) {
  return (
    <div className="field field-inline">
      <label htmlFor="page-size">Per page</label>
      <select
        id="page-size"
        value={view.pageSize}
        onChange={(e) => update({ pageSize: Number(e.target.value) })}
      >
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {size}
          </option>
        ))}
      </select>
    </div>
  );
}
