import { PAGE_SIZES, type UsersView } from './users-query.js';

/**
 * Where in the list the page is, first/previous/next/last, and the page size. Shown above the table (so the
 * keyboard reaches it before fifty rows) and, buttons only, below it.
 */
export function Pager({
  shown,
  view,
  update,
  placement,
}: {
  /** The page on screen, as the server answered it (the next one may still be loading). */
  shown: {
    total: number;
    totalIs?: 'exact' | 'about' | 'more_than';
    offset: number;
    limit: number;
    count: number;
    nextCursor?: string | null;
  };
  view: UsersView;
  update: (patch: Partial<UsersView>) => void;
  placement: 'top' | 'bottom';
}) {
  const { total, offset, limit, count, nextCursor } = shown;
  const about = shown.totalIs === 'about' ? 'about ' : shown.totalIs === 'more_than' ? 'more than ' : '';
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  const first = count === 0 ? 0 : offset + 1;
  const last = offset + count;
  return (
    <nav className={`pager pager-${placement}`} aria-label={`Pages of users (${placement})`}>
      {placement === 'top' && (
        <p className="pager-status" role="status">
          {total === 0
            ? 'No users'
            : `${first.toLocaleString()}–${last.toLocaleString()} of ${about}${total.toLocaleString()}`}
        </p>
      )}
      <div className="pager-buttons">
        <button type="button" disabled={page <= 1} onClick={() => update({ page: 1 })}>
          First
        </button>
        <button type="button" disabled={page <= 1} onClick={() => update({ page: page - 1 })}>
          Previous
        </button>
        <span className="pager-page">
          Page {page.toLocaleString()} of {about}
          {pages.toLocaleString()}
        </span>
        <button
          type="button"
          disabled={page >= pages && (shown.totalIs === 'exact' || !nextCursor)}
          onClick={() => update({ page: page + 1, after: nextCursor ?? undefined })}
        >
          Next
        </button>
        <button type="button" disabled={page >= pages} onClick={() => update({ page: pages })}>
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
