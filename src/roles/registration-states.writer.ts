import type { Logger } from '../observability/logger.js';
import type { RegistrationStatus } from '../sip/registration/registration.types.js';
import type { Store } from '../store/store.js';

/** Who a registration belongs to, for log lines (never the password). */
export interface RegistrationOwner {
  accountId: string;
  sipUsername: string;
  sipDomain: string;
}

/**
 * Takes the states the agent reports, writes them to the users table in batches (one transaction per flush), and
 * logs each change of outcome (registered, failed with another answer, disabled ...) with the user and the PBX's
 * answer, not each refresh: a refresh that keeps a user registered changes nothing worth a line.
 */
export class RegistrationStatesWriter {
  private pending = new Map<string, RegistrationStatus>();
  /** The outcome last logged per user (`state|status code`). */
  private readonly logged = new Map<string, string>();
  private readonly owners = new Map<string, RegistrationOwner>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Remember whom a user id stands for (on every reload; cheap). */
  own(id: string, owner: RegistrationOwner): void {
    this.owners.set(id, owner);
  }

  /** Forget users no longer configured. */
  forgetAllBut(ids: ReadonlySet<string>): void {
    for (const id of this.owners.keys()) if (!ids.has(id)) this.owners.delete(id);
    for (const id of this.logged.keys()) if (!ids.has(id)) this.logged.delete(id);
  }

  /** A state the agent reported: queued for the next flush; logged when the outcome changed. */
  report(id: string, status: RegistrationStatus): void {
    this.pending.set(id, status);
    const { state, detail } = status;
    if (state === 'pending') return; // not an outcome: the attempt is still to come
    const outcome = `${state}|${detail.statusCode ?? ''}`;
    if (this.logged.get(id) === outcome) return;
    this.logged.set(id, outcome);
    const fields = {
      userId: id,
      ...this.owners.get(id),
      state,
      ...(detail.statusCode !== undefined && { statusCode: detail.statusCode }),
      ...(detail.reason !== undefined && { reason: detail.reason }),
      ...(detail.final !== undefined && { final: detail.final }),
      ...(detail.retryAt !== undefined && { retryAt: detail.retryAt }),
      ...(detail.expiresAt !== undefined && { expiresAt: detail.expiresAt }),
    };
    if (state === 'failed') {
      const answer = `${detail.statusCode ?? ''} ${detail.reason ?? ''}`.trim();
      this.logger.warn(fields, `registration failed: ${answer}${detail.final ? ' (final)' : ''}`);
    } else this.logger.info(fields, `registration ${state}`);
  }

  /** Write the queued states, all in one transaction. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.store.transaction(async (tx) => {
      for (const [id, { state, detail }] of batch) await tx.users.recordRegistrationState(id, state, detail);
    });
  }

  /**
   * After a clean stop: users that were unregistered show `unregistered`; those whose unregistration did not
   * finish in the allowed time say so (the PBX keeps their binding until it expires).
   */
  async stopped(unregistered: string[], unfinished: string[], waitedSeconds: number): Promise<void> {
    const at = new Date().toISOString();
    await this.store.repos.users.recordRegistrationStates(unregistered, 'unregistered', {
      reason: `Unregistered when Callbridge's SIP role stopped (${at}); it registers again when the role starts.`,
    });
    await this.store.repos.users.recordRegistrationStates(unfinished, 'unregistered', {
      reason:
        waitedSeconds === 0
          ? "Callbridge's SIP role stopped without unregistering (CALLBRIDGE_SIP_SHUTDOWN_SECONDS=0); the PBX " +
            'keeps the binding until it expires.'
          : `Callbridge's SIP role stopped before it could unregister this user (it waited ${waitedSeconds} s, ` +
            'CALLBRIDGE_SIP_SHUTDOWN_SECONDS); the PBX may keep the binding until it expires.',
    });
    this.logger.info(
      { unregistered: unregistered.length, unfinished: unfinished.length },
      'registrations ended at shutdown',
    );
  }
}
