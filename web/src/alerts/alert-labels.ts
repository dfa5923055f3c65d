/** What each alert kind is called in the portal. */
export const KIND_LABELS: Record<string, string> = {
  sync_failed: 'Sync failed',
  sync_warning: 'Sync warnings',
  registrations_lost: 'Registrations lost',
  edge_unhealthy: 'Teams edge unhealthy',
  edge_certificate_expiring: 'Certificate expiring',
  trial_expiring: 'Trial ending',
  licences_short: 'Licences short',
  consent_revoked: 'Consent revoked',
  asr_drop: 'Answer rate dropped',
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

export const when = (iso: string) => new Date(iso).toLocaleString();
