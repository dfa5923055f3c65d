/**
 * Recent calls. Call records come with the call path (Calls 2 and 3); until this server places calls there are
 * none to show, and the panel says so rather than looking broken.
 */
export function RecentCalls() {
  return (
    <section className="panel" aria-labelledby="recent-heading">
      <h2 id="recent-heading">Recent calls</h2>
      <p className="muted">No calls yet. Calls you make from the Phone App will be listed here.</p>
    </section>
  );
}
