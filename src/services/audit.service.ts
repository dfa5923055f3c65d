import type { AuditEntry } from '../domain/records.js';
import type { AuditQuery } from '../store/repositories/audit.repository.js';
import type { Store } from '../store/store.js';

/** Reads the audit log of an account. Entries are written by each service inside its own transaction. */
export class AuditService {
  constructor(private readonly store: Store) {}

  list(accountId: string, query: AuditQuery): Promise<AuditEntry[]> {
    return this.store.repos.audit.list(accountId, query);
  }
}
