import { SIP_CREDENTIALS_MISSING } from '../../domain/registration-readiness.js';
import { formatLineUri } from '../../domain/numbers/e164.js';
import type { Actor, SyncLogLine, SyncRun, VoiceService } from '../../domain/records.js';
import type { SyncChange } from '../../domain/sync/sync-plan.js';
import type { MicrosoftTenantClient } from '../../microsoft/index.js';
import { isUniqueViolation } from '../../store/database.js';
import type { Repositories, Store } from '../../store/store.js';
import { microsoftSaid } from './degraded-steps.js';

/** The run's log writer: a line, its level, and the user it is about. */
export type SyncSay = (message: string, level?: SyncLogLine['level'], userId?: string) => void;
export type WriteNumberChange = Extract<SyncChange, { type: 'write_number' }>;
type AddChange = Extract<SyncChange, { type: 'add' }>;
type LocalChange = Exclude<SyncChange, { type: 'write_number' | 'add' }>;

const WRITE_CONCURRENCY = 4;
/** New users per insert statement: 999 at once would come close to SQLite's 32,766 variables. */
const ADD_CHUNK = 500;
/**
 * New users per transaction (at least; whole pages of the read, up to 999 each). Each transaction rewrites most
 * leaf pages of the users' dozen indexes and the search index whatever its size, so fewer, larger ones write far
 * less: 85,000 users and their audit entries wrote 1.8 GB at 1,000 per transaction, 1.0 GB at 5,000 (WAL and
 * checkpoints). Bounded, because the transaction holds the one SQLite connection for its length (~0.5 s).
 */
const ADD_BATCH = 2_500;

/** Splits the line form (`+E164` or `+E164;ext=N`) into the stored number and extension. */
export function splitLine(line: string | null): { phoneNumber: string | null; extension: string | null } {
  if (!line) return { phoneNumber: null, extension: null };
  const [number = '', ext] = line.replace(/^tel:/i, '').split(';ext=');
  return { phoneNumber: number, extension: ext ?? null };
}

/**
 * Applies a run's planned changes: portal-side changes and new users as each page of the read is planned, then the
 * numbers to write to the tenant. Every write is idempotent, so a run that dies is run again and converges.
 */
export class SyncChangesApplier {
  private readonly actor: Actor;
  /** New users whose page could not add them (see `applyDeferred`). */
  private readonly deferred: AddChange[] = [];
  /** New users planned and not yet being added (see `applyLocal`). */
  private readonly pendingAdds: AddChange[] = [];
  /** The additions under way, in order. */
  private adding: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly run: SyncRun,
    private readonly service: VoiceService,
    private readonly say: SyncSay,
  ) {
    this.actor = { type: 'system', id: null, label: `sync ${run.id}`, source: 'sync' };
  }

  /**
   * The portal side of a page of changes: each local change in its own transaction, then the page's new users.
   * New users are gathered over pages and added {@link ADD_BATCH} at a time in one transaction, written while the
   * next pages are read and planned; the new users of earlier pages are always in before a later page's local
   * changes run (and a local change runs before its own page's new users, so a number a user gives up is free for
   * a new user). The tenant writes are returned, for {@link writeNumbers} once every page is planned.
   */
  async applyLocal(changes: SyncChange[]): Promise<WriteNumberChange[]> {
    const writes: WriteNumberChange[] = [];
    for (const change of changes) {
      if (change.type === 'write_number') writes.push(change);
      else if (change.type === 'add') this.pendingAdds.push(change);
      else {
        await this.addPending();
        await this.applyOne(change);
      }
    }
    if (this.pendingAdds.length >= ADD_BATCH) this.startAdding();
    return writes;
  }

  /**
   * Adds the new users still gathered, then those that could not be added with their page: a number (or another
   * unique field) still held by a user whom a later page changes. The runner calls this after the last page; a
   * clash that is still there then fails the run, as it would have with the whole tenant planned at once.
   */
  async applyDeferred(): Promise<void> {
    await this.addPending();
    const deferred = this.deferred.splice(0);
    for (const add of deferred) await this.addUsers([add]);
  }

  /** Starts adding the gathered new users behind those already being added; does not wait for it. */
  private startAdding(): void {
    const adds = this.pendingAdds.splice(0);
    const previous = this.adding;
    this.adding = previous.then(() => this.addUsersOrDefer(adds));
    // Awaited (and its failure thrown) by the next addPending; this only keeps it from being unhandled meanwhile.
    this.adding.catch(() => undefined);
  }

  /** Every new user gathered so far is added (or deferred) when this returns. */
  private async addPending(): Promise<void> {
    if (this.pendingAdds.length > 0) this.startAdding();
    const adding = this.adding;
    this.adding = Promise.resolve();
    await adding;
  }

  /** New users in one transaction; on a unique clash, one at a time, and those that still clash wait for the end. */
  private async addUsersOrDefer(adds: AddChange[]): Promise<void> {
    try {
      await this.addUsers(adds);
      return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    for (const add of adds)
      try {
        await this.addUsers([add]);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        this.deferred.push(add);
      }
  }

  /** Tenant writes, a few at a time; counts go to `counters` (`written`, `errors`). */
  async writeNumbers(
    client: MicrosoftTenantClient,
    writes: WriteNumberChange[],
    policy: string | null,
    counters: { written: number; errors: number },
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < writes.length) {
        const change = writes[next++]!;
        if (await this.writeNumber(client, change, policy)) counters.written++;
        else counters.errors++;
      }
    };
    await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  }

  /** New tenant users and their audit entries in one transaction, a multi-row insert per {@link ADD_CHUNK}. */
  private async addUsers(adds: AddChange[]): Promise<void> {
    await this.store.transaction(async (tx) => {
      for (let i = 0; i < adds.length; i += ADD_CHUNK) await this.addChunk(tx, adds.slice(i, i + ADD_CHUNK));
    });
  }

  private async addChunk(tx: Repositories, adds: AddChange[]): Promise<void> {
    const { accountId } = this.run;
    const service = this.service;
    const created = await tx.users.createMany(
      adds.map(({ tenant: t }) => ({
        accountId,
        serviceId: service.id,
        objectId: t.objectId,
        upn: t.upn,
        email: t.email,
        displayName: t.displayName,
        kind: t.kind,
        tenantState: t.enabled ? ('active' as const) : ('disabled' as const),
        usageLocation: t.usageLocation,
        coexistenceMode: t.coexistenceMode,
        licences: t.licences,
        ...splitLine(t.line),
        numberType: t.line ? (service.kind === 'trunk' ? ('trunk' as const) : ('ddi' as const)) : null,
        sipUsername: null,
        authUsername: null,
        sipPasswordEnc: null,
        registrationEnabled: true,
        registrationState: 'disabled' as const,
        registrationDetail: { reason: SIP_CREDENTIALS_MISSING },
        externalId: null,
        syncedLine: t.line,
      })),
    );
    await tx.audit.appendMany(
      created.map((user) => ({
        accountId,
        actor: this.actor,
        action: 'user.create',
        objectType: 'user',
        objectId: user.id,
        before: null,
        after: user,
        batchId: this.run.id,
      })),
    );
  }

  private async applyOne(change: LocalChange): Promise<void> {
    const { accountId } = this.run;
    const { actor, say } = this;
    const batchId = this.run.id;
    await this.store.transaction(async (tx) => {
      switch (change.type) {
        case 'update':
        case 'mark': {
          const before = await tx.users.findById(accountId, change.userId);
          const patch = change.type === 'mark' ? { tenantState: change.tenantState } : change.fields;
          const after = await tx.users.update(accountId, change.userId, patch);
          await tx.audit.append({
            accountId,
            actor,
            action: `user.sync_${change.type}`,
            objectType: 'user',
            objectId: change.userId,
            before: before ?? null,
            after: after ?? null,
            batchId,
          });
          if (change.type === 'mark')
            say(`${before?.email ?? change.userId}: ${change.reason}`, 'warn', change.userId);
          return;
        }
        case 'take_number': {
          const before = await tx.users.findById(accountId, change.userId);
          const after = await tx.users.update(accountId, change.userId, {
            ...splitLine(change.to),
            numberType: change.to ? (before?.numberType ?? 'ddi') : null,
          });
          await tx.users.recordSynced(accountId, change.userId, change.to);
          await tx.audit.append({
            accountId,
            actor,
            action: 'user.sync_take_number',
            objectType: 'user',
            objectId: change.userId,
            before: before ?? null,
            after: after ?? null,
            batchId,
          });
          say(
            `${before?.email ?? change.userId}: number changed in the tenant from ${change.from ?? '(none)'} to ${change.to ?? '(none)'}; taken into the portal.`,
            'info',
            change.userId,
          );
          return;
        }
        case 'agree':
          await tx.users.recordSynced(accountId, change.userId, change.line);
          return;
        case 'conflict':
          say(
            `Conflict: the number was changed in the portal to ${change.portal ?? '(none)'} and in the tenant to ${change.tenant ?? '(none)'} since the last sync (was ${change.synced ?? '(none)'}). Choose one: set it again in the portal to write it, or set the portal to the tenant's value.`,
            'warn',
            change.userId,
          );
          await tx.users.recordSyncError(
            accountId,
            change.userId,
            `Number conflict: portal ${change.portal ?? '(none)'}, tenant ${change.tenant ?? '(none)'}.`,
          );
          return;
      }
    });
  }

  /**
   * Assigns (or removes) a Direct Routing number in the tenant (which turns enterprise voice on) and grants the
   * service's voice routing policy; true when both are done. Until then the line is not recorded as agreed, so
   * the next sync does it again (both writes are idempotent).
   */
  private async writeNumber(
    client: MicrosoftTenantClient,
    change: WriteNumberChange,
    policy: string | null,
  ): Promise<boolean> {
    const { accountId } = this.run;
    const { say } = this;
    const users = this.store.repos.users;
    try {
      const outcome = change.to
        ? await client.assignNumber({
            telephoneNumber: change.to,
            userId: change.objectId,
            numberType: 'directRouting',
          })
        : await client.unassignNumber({ telephoneNumber: change.from ?? '', numberType: 'directRouting' });
      if (outcome.state === 'failed') {
        await users.recordSyncError(accountId, change.userId, outcome.error.microsoftMessage);
        say(
          `Microsoft refused ${change.to ?? change.from ?? ''}: ${outcome.error.microsoftMessage}`,
          'error',
          change.userId,
        );
        return false;
      }
      if (outcome.state === 'pending') {
        say(
          `Microsoft is still assigning ${formatLineUri(outcome.telephoneNumber)}; the next sync checks it again.`,
          'warn',
          change.userId,
        );
        return false;
      }
      if (change.to) {
        const refusal = policy
          ? await client.grantVoiceRoutingPolicy([change.objectId], policy).then(
              (grants) => grants.find((g) => !g.ok)?.error.message,
              (error: unknown) => `Microsoft answered ${microsoftSaid(error)}`,
            )
          : 'the voice routing policy is not ready yet';
        if (refusal) {
          const message = `${change.to} is assigned, but the voice routing policy was not granted (${refusal}); the next sync grants it.`;
          await users.recordSyncError(accountId, change.userId, message);
          say(message, 'warn', change.userId);
          return false;
        }
      }
      await users.recordSynced(accountId, change.userId, change.to);
      say(`Wrote ${change.to ?? '(no number)'} to the tenant.`, 'info', change.userId);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await users.recordSyncError(accountId, change.userId, message);
      say(`Writing ${change.to ?? '(no number)'} failed: ${message}`, 'error', change.userId);
      return false;
    }
  }
}
