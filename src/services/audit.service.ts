import { z } from 'zod';
import { stringifyGuarded } from '../domain/csv/csv-guard.js';
import type { Actor, AuditEntry } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import { withoutUndefined } from './without-undefined.js';

export const auditQuery = z.object({
  objectType: z.string().max(64).optional().describe('e.g. user, service, account, subscription'),
  objectId: z.string().max(64).optional(),
  source: z.enum(['portal', 'api', 'cli', 'sync', 'worker', 'rollback']).optional(),
  since: z.iso.datetime({ message: 'must be an ISO-8601 time like 2026-01-31T00:00:00Z' }).optional(),
  until: z.iso.datetime({ message: 'must be an ISO-8601 time like 2026-01-31T00:00:00Z' }).optional(),
  before: z.string().max(64).optional().describe('Cursor: the id of the last entry of the previous page.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditQueryInput = z.input<typeof auditQuery>;

/** Export pages through the log in chunks, so an export of a busy account never holds it all at once. */
const EXPORT_PAGE = 1000;

/** Reads and exports the audit log of an account. Entries are written by each service inside its own transaction. */
export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  async list(actor: Actor, accountId: string, raw: AuditQueryInput): Promise<AuditEntry[]> {
    const query = auditQuery.parse(raw);
    await this.access.require(actor, accountId, 'audit.read');
    return this.store.repos.audit.list(accountId, withoutUndefined(query));
  }

  /** Every matching entry, newest first, as CSV (one row per entry; before/after as JSON) or JSON lines. */
  async export(
    actor: Actor,
    accountId: string,
    raw: Omit<AuditQueryInput, 'limit' | 'before'>,
    format: 'csv' | 'jsonl',
  ): Promise<string> {
    const query = auditQuery.parse({ ...raw, limit: EXPORT_PAGE });
    await this.access.require(actor, accountId, 'audit.read');
    const chunks: string[] = [];
    if (format === 'csv') {
      chunks.push(
        stringifyGuarded([
          ['at', 'actor', 'actorType', 'source', 'action', 'objectType', 'objectId', 'before', 'after'],
        ]),
      );
    }
    let cursor: string | undefined;
    for (;;) {
      const page = await this.store.repos.audit.list(
        accountId,
        withoutUndefined({ ...query, ...(cursor && { before: cursor }) }),
      );
      if (format === 'jsonl') chunks.push(...page.map((e) => JSON.stringify(e) + '\n'));
      else
        chunks.push(
          stringifyGuarded(
            page.map((e) => [
              e.at,
              e.actor.label,
              e.actor.type,
              e.actor.source,
              e.action,
              e.objectType,
              e.objectId,
              e.before ? JSON.stringify(e.before) : '',
              e.after ? JSON.stringify(e.after) : '',
            ]),
          ),
        );
      if (page.length < EXPORT_PAGE) break;
      cursor = page[page.length - 1]?.id;
    }
    return chunks.join('');
  }
}
