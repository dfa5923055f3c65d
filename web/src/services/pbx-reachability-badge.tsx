import type { Service } from '../api/types.js';

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * Whether the service's PBX answers Callbridge (OPTIONS keep-alive and REGISTERs) and when it last did (issue 21):
 * while it does not, its users show "unconfirmed", because the PBX may have lost their registrations.
 */
export function PbxReachabilityBadge({ service }: { service: Service }) {
  if (service.kind !== 'pbx') return null;
  const verdict = service.pbxReachability;
  if (!verdict) {
    return (
      <p className="pbx-reachability">
        <span className="badge">PBX not checked yet</span>{' '}
        <span className="muted">Callbridge checks the PBX once it registers users to it.</span>
      </p>
    );
  }
  if (verdict.reachable) {
    return (
      <p className="pbx-reachability">
        <span className="badge badge-ok">PBX reachable</span>{' '}
        <span className="muted">
          last confirmed {verdict.lastConfirmedAt ? when(verdict.lastConfirmedAt) : when(verdict.checkedAt)}
        </span>
      </p>
    );
  }
  return (
    <p className="pbx-reachability" role="status">
      <span className="badge badge-warn">PBX unreachable</span>{' '}
      <span>
        {verdict.lastConfirmedAt
          ? `No answer since ${when(verdict.lastConfirmedAt)}`
          : 'The PBX has never answered'}
        {verdict.reason ? ` (${verdict.reason})` : ''}. Its users show “unconfirmed” until it answers; then
        they register again at once.
      </span>
    </p>
  );
}
