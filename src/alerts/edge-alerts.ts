/**
 * The Teams edge's platform alerts, judged in the sip role where the edge runs: a Microsoft proxy without an
 * OPTIONS 200 for 3 minutes (`edge_unhealthy`; counted from the edge's start before the first answer) and our
 * certificate expiring in under 14 days. Checked on every health change the edge reports and every 30 s.
 */
import type { Logger } from 'pino';
import type { ProxyHealthState } from '../edge/proxy-health.js';
import { HEALTHY_WINDOW_MS } from '../edge/proxy-health.js';
import type { AlertCondition } from './alert.types.js';
import type { AlertsEvaluator } from './alerts-evaluator.js';

export const CERTIFICATE_NOTICE_DAYS = 14;

/** What the monitor reads of the edge. */
export interface EdgeView {
  health: { list(): ProxyHealthState[] };
  certificate: { daysLeft: number; subject?: string | undefined };
}

/** The edge's conditions at `now` (pure: the unit of the monitor). */
export function edgeConditions(edge: EdgeView, startedAt: number, now: number): AlertCondition[] {
  const found: AlertCondition[] = [];
  for (const p of edge.health.list()) {
    const okAt = p.lastOkAt ? Date.parse(p.lastOkAt) : startedAt;
    if (now - Math.max(okAt, startedAt) < HEALTHY_WINDOW_MS) continue;
    found.push({
      accountId: null,
      kind: 'edge_unhealthy',
      subject: p.proxy,
      subjectLabel: p.proxy,
      severity: 'critical',
      message: `Microsoft's SIP proxy ${p.proxy} has not answered OPTIONS with 200 for over 3 minutes (last: ${p.lastStatus ?? 'no answer'}${p.lastError ? `, ${p.lastError}` : ''}): Microsoft sends no calls through it. Check the certificate, the firewall toward Microsoft's signalling ranges and the FQDN.`,
      details: {
        lastOkAt: p.lastOkAt ?? null,
        lastStatus: p.lastStatus ?? null,
        lastError: p.lastError ?? null,
        consecutiveFailures: p.consecutiveFailures,
      },
    });
  }
  const days = edge.certificate.daysLeft;
  if (days < CERTIFICATE_NOTICE_DAYS)
    found.push({
      accountId: null,
      kind: 'edge_certificate_expiring',
      subject: 'certificate',
      subjectLabel: 'SBC certificate',
      severity: days < 3 ? 'critical' : 'warning',
      message:
        days <= 0
          ? 'The Teams edge certificate has expired: Microsoft refuses our TLS connections. Install a renewed certificate (CALLBRIDGE_SBC_CERT_FILE); it is reloaded without a restart.'
          : `The Teams edge certificate expires in ${Math.floor(days)} days: install a renewed certificate (CALLBRIDGE_SBC_CERT_FILE) before then; it is reloaded without a restart.`,
      details: { daysLeft: Math.floor(days) },
    });
  return found;
}

/** Starts the checks; returns the function that stops them. */
export function monitorEdgeAlerts(
  edge: EdgeView,
  evaluator: AlertsEvaluator,
  logger: Logger,
  everyMs = 30_000,
): { check(): void; stop(): void } {
  const startedAt = Date.now();
  let running: Promise<unknown> = Promise.resolve();
  const check = () => {
    running = running
      .then(() => {
        const subjects = [...edge.health.list().map((p) => p.proxy), 'certificate'];
        return evaluator.reportEdge(edgeConditions(edge, startedAt, Date.now()), subjects);
      })
      .catch((error: unknown) => logger.error({ err: error }, 'edge alert check failed'));
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  check();
  return { check, stop: () => clearInterval(timer) };
}
