import { randomUUID } from 'node:crypto';
import { AppError, isAppError, notFound } from '../domain/errors.js';
import type { Actor, AuditEntry, User } from '../domain/records.js';
import {
  importRollbackFields,
  planRollback,
  rollbackValuesOf,
  syncRollbackFields,
  type RollbackCurrent,
  type RollbackField,
  type RollbackPlan,
  type RollbackTarget,
} from '../domain/rollback.js';
import type { ImportBatch } from '../store/repositories/audit.repository.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import type { LicencesService } from './licences.service.js';
import type { SyncService } from './sync/sync.service.js';

/** A rollback's plan and, once applied, its id and the sync run that writes the tenant. */
export interface RollbackResult {
  kind: 'sync_run' | 'import';
  /** The sync run or import rolled back. */
  sourceId: string;
  serviceId: string;
  dryRun: boolean;
  /** The rollback's own id (its audit entries' batch, source `rollback`); null for a dry run. */
  rollbackId: string | null;
  /** The sync run started to write the restored numbers to the tenant, if any is needed. */
  syncRunId: string | null;
  plan: RollbackPlan;
}

type WriteNumberChange = { type: 'write_number'; userId: string; from: string | null; to: string | null };

/**
 * Rolls back an applied sync run or CSV import from the before/after of its audit entries (batch = its id): a
 * plan first (per user: what the portal restores and what the tenant gets), then, unless a dry run, the restore
 * in one transaction with audit entries of source `rollback`, and a sync run that writes the restored numbers to
 * the tenant (one write per user). A user changed again since is a conflict, reported with both values and left
 * alone. Undoing needs the permission of what is undone: `service.write` for an import, `sync.run` for a sync.
 */
export class RollbackService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly licences: LicencesService,
    private readonly sync: SyncService,
    private readonly registrationsChanged: () => void,
  ) {}

  /** The account's applied CSV imports, newest first. */
  async listImports(actor: Actor, accountId: string, limit = 50): Promise<ImportBatch[]> {
    await this.access.require(actor, accountId, 'service.read');
    return this.store.repos.audit.listImports(accountId, limit);
  }

  async rollbackImport(
    actor: Actor,
    accountId: string,
    importId: string,
    options: { dryRun: boolean },
  ): Promise<RollbackResult> {
    await this.access.require(actor, accountId, 'service.write');
    const entries = (await this.store.repos.audit.listBatch(accountId, importId)).filter(
      (e) => e.action === 'user.import',
    );
    const serviceId = entries[0]?.after?.['serviceId'];
    if (typeof serviceId !== 'string') throw notFound('import', importId);
    const targets = targetsOf(entries, importRollbackFields);
    return this.run(actor, accountId, { kind: 'import', sourceId: importId, serviceId }, targets, {
      fields: importRollbackFields,
      dryRun: options.dryRun,
    });
  }

  async rollbackSyncRun(
    actor: Actor,
    accountId: string,
    runId: string,
    options: { dryRun: boolean },
  ): Promise<RollbackResult> {
    await this.access.require(actor, accountId, 'sync.run');
    const run = await this.store.repos.syncRuns.findById(accountId, runId);
    const details = await this.store.repos.syncRuns.findDetails(accountId, runId);
    if (!run || !details) throw notFound('sync run', runId);
    if (run.dryRun || (run.state !== 'succeeded' && run.state !== 'warning'))
      throw new AppError(
        'precondition_failed',
        `Sync run ${runId} ${run.dryRun ? 'was a dry run' : `is ${run.state}`}: only an applied run can be rolled back.`,
        { runId, state: run.state },
      );
    const taken = (await this.store.repos.audit.listBatch(accountId, runId)).filter(
      (e) => e.action === 'user.sync_take_number',
    );
    const targets = targetsOf(taken, syncRollbackFields);
    // Numbers the run wrote to the tenant: the portal already held them; undoing puts both sides back.
    const writes = (Array.isArray(details.plan) ? (details.plan as WriteNumberChange[]) : []).filter(
      (c) => c.type === 'write_number',
    );
    // Only writes Microsoft carried out (the run logged "Wrote ..." for the user); a refused one changed nothing.
    const written = new Set(
      details.log.filter((l) => l.userId && l.message.startsWith('Wrote ')).map((l) => l.userId),
    );
    for (const write of writes.filter((w) => written.has(w.userId)))
      targets.push({ userId: write.userId, before: valuesOfLine(write.from), after: valuesOfLine(write.to) });
    return this.run(
      actor,
      accountId,
      { kind: 'sync_run', sourceId: runId, serviceId: run.serviceId },
      targets,
      {
        fields: syncRollbackFields,
        dryRun: options.dryRun,
      },
    );
  }

  private async run(
    actor: Actor,
    accountId: string,
    source: Pick<RollbackResult, 'kind' | 'sourceId' | 'serviceId'>,
    targets: RollbackTarget[],
    options: { fields: readonly RollbackField[]; dryRun: boolean },
  ): Promise<RollbackResult> {
    const stored = await this.store.repos.users.listForSync(accountId, source.serviceId);
    const current = new Map<string, RollbackCurrent>(
      stored.map((u) => [
        u.id,
        {
          id: u.id,
          email: u.email,
          values: rollbackValuesOf(u, options.fields),
          syncedLine: u.syncedLine,
          writesToTenant: u.kind !== 'phone_app' && u.objectId !== null,
        },
      ]),
    );
    const plan = planRollback(targets, current, options.fields);
    const result: RollbackResult = {
      ...source,
      dryRun: options.dryRun,
      rollbackId: null,
      syncRunId: null,
      plan,
    };
    if (options.dryRun || plan.counters.restored === 0) return result;
    result.rollbackId = randomUUID();
    const byId = new Map(targets.map((t) => [t.userId, t]));
    const restores = plan.users.filter((u) => u.action === 'restore');
    const rollbackActor: Actor = { ...actor, source: 'rollback' };
    await this.store.transaction((tx) =>
      this.licences.within(tx, accountId, async () => {
        // Numbers and SIP usernames may move between users: free them first, then set them (as the import does).
        const moving = (field: RollbackField) =>
          restores.filter((u) => u.portal.some((p) => p.field === field)).map((u) => u.userId);
        await tx.users.patchMany(
          accountId,
          [...new Set([...moving('phoneNumber'), ...moving('extension')])],
          {
            phoneNumber: null,
            extension: null,
          },
        );
        if (options.fields.includes('sipUsername'))
          await tx.users.patchMany(accountId, moving('sipUsername'), { sipUsername: null });
        for (const user of restores) {
          const before = stored.find((u) => u.id === user.userId)!;
          const patch = restoredPatch(byId.get(user.userId)!, options.fields, before);
          const after = await tx.users.update(accountId, user.userId, patch);
          const { syncedLine: _line, ...beforeUser } = before;
          await tx.audit.append({
            accountId,
            actor: rollbackActor,
            action: 'user.rollback',
            objectType: 'user',
            objectId: user.userId,
            before: beforeUser,
            after: after ?? null,
            batchId: result.rollbackId!,
          });
        }
      }),
    );
    this.registrationsChanged();
    if (plan.counters.tenantWrites > 0)
      result.syncRunId = await this.startSync(actor, accountId, source.serviceId);
    return result;
  }

  /** The sync that writes the restored numbers; without `sync.run` the numbers wait for the next sync. */
  private async startSync(actor: Actor, accountId: string, serviceId: string): Promise<string | null> {
    try {
      return (await this.sync.start(actor, accountId, serviceId, {})).run.id;
    } catch (error) {
      if (isAppError(error) && error.code === 'forbidden') return null;
      throw error;
    }
  }
}

function targetsOf(entries: AuditEntry[], fields: readonly RollbackField[]): RollbackTarget[] {
  // Several entries of one user in one batch: the first before and the last after.
  const byUser = new Map<string, RollbackTarget>();
  for (const entry of entries) {
    const known = byUser.get(entry.objectId);
    if (known) known.after = rollbackValuesOf(entry.after, fields);
    else
      byUser.set(entry.objectId, {
        userId: entry.objectId,
        before: rollbackValuesOf(entry.before, fields),
        after: rollbackValuesOf(entry.after, fields),
      });
  }
  return [...byUser.values()];
}

function valuesOfLine(line: string | null): { phoneNumber: string | null; extension: string | null } {
  if (!line) return { phoneNumber: null, extension: null };
  const [phoneNumber = '', extension] = line.replace(/^tel:/i, '').split(';ext=');
  return { phoneNumber, extension: extension ?? null };
}

/** The fields to write back: every rolled-back field at its value before the operation. */
function restoredPatch(target: RollbackTarget, fields: readonly RollbackField[], now: User) {
  const patch: Partial<Record<RollbackField, string | null>> = {};
  for (const field of fields) patch[field] = target.before[field] ?? null;
  // A sync rollback restores the line only; an emptied number has no number type.
  const numberType = fields.includes('numberType')
    ? (patch.numberType as User['numberType'])
    : patch.phoneNumber
      ? (now.numberType ?? 'ddi')
      : null;
  return { ...patch, numberType } as Partial<Pick<User, RollbackField>>;
}
