/**
 * The provider's Phone App for Teams: the app package (manifest and icons in the partner's brand) to upload to
 * the Teams admin centre or Partner Center. The sync installs this app for each Phone App user, so it must be
 * uploaded once, under the same id, before Phone App users see it.
 */
export function TeamsAppCard({ accountId }: { accountId: string }) {
  return (
    <section className="card" aria-labelledby="teams-app-heading">
      <h2 id="teams-app-heading">Phone App for Teams</h2>
      <p className="muted">
        The dialler your clients&apos; Phone App users get in Teams, in your brand (name, colour, support
        contact). Upload the package to Teams once (Teams admin centre &gt; Teams apps &gt; Manage apps &gt;
        Upload new app); download it again after changing your brand.
      </p>
      <p className="actions">
        <a className="button" href={`/api/v1/accounts/${accountId}/phone-app/teams-app-package`}>
          Download the Teams app package
        </a>
      </p>
    </section>
  );
}
