import { PageTitle } from '../components/status.js';
import { Link } from '../router.js';

export function NotFoundPage() {
  return (
    <section className="page">
      <PageTitle title="Page not found">Page not found</PageTitle>
      <p>
        There is no page at this address. <Link to="/">Go to all accounts</Link>.
      </p>
    </section>
  );
}
