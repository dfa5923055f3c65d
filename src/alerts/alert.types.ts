/**
 * The alert model (issue 18, "Calls 3"): what an alert is, its kinds, and the condition an evaluator reports.
 * An alert is one episode of a condition on (account, kind, subject): it opens once, is updated (last seen,
 * count, details) while the condition holds, and resolves by itself when an evaluation no longer finds it.
 */

export const ALERT_KINDS = [
  'sync_failed',
  'sync_warning',
  'registrations_lost',
  'edge_unhealthy',
  'edge_certificate_expiring',
  'trial_expiring',
  'licences_short',
  'consent_revoked',
  'asr_drop',
  'trunk_down',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Kinds about the platform itself (the Teams edge): no account, shown to operators and providers. */
export const PLATFORM_KINDS: ReadonlySet<AlertKind> = new Set([
  'edge_unhealthy',
  'edge_certificate_expiring',
]);

export type AlertSeverity = 'warning' | 'critical';
export type AlertState = 'open' | 'resolved';

/** A condition an evaluator found now; `accountId` null for a platform-level condition. */
export interface AlertCondition {
  accountId: string | null;
  kind: AlertKind;
  /** What the alert is about, stable between evaluations (a service id, a proxy host, a subscription id). */
  subject: string;
  /** The subject in words (a service's name, a proxy host). */
  subjectLabel: string;
  severity: AlertSeverity;
  /** What is wrong and what to do, in plain words. */
  message: string;
  details: Record<string, unknown>;
}

export interface Alert extends AlertCondition {
  id: string;
  state: AlertState;
  count: number;
  openedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
}

/** What an evaluation changed: alerts newly opened and alerts resolved (what subscriptions are told). */
export interface AlertChanges {
  opened: Alert[];
  resolved: Alert[];
}
