import { AppError, notFound } from '../domain/errors.js';
import type { Account, Actor } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { CreateAccountInput, UpdateAccountInput } from './schemas/account.schema.js';

/** Partner and client accounts. Every change is audited in the same transaction as the change. */
export class AccountsService {
  constructor(private readonly store: Store) {}

  async create(actor: Actor, input: CreateAccountInput): Promise<Account> {
    const parentId = input.parentId ?? null;
    if (input.kind === 'client' && parentId === null) {
      throw new AppError(
        'validation_failed',
        'A client account needs the partner it belongs to: set parentId.',
        { field: 'parentId' },
      );
    }
    return this.store.transaction(async (tx) => {
      if (parentId !== null) {
        const parent = await tx.accounts.findById(parentId);
        if (!parent) throw notFound('account', parentId);
        if (parent.kind !== 'partner') {
          throw new AppError(
            'validation_failed',
            `Account "${parent.name}" is a client; accounts can only be created beneath a partner.`,
            { field: 'parentId' },
          );
        }
      }
      const account = await tx.accounts.create({ parentId, kind: input.kind, name: input.name });
      await tx.audit.append({
        accountId: account.id,
        actor,
        action: 'account.create',
        objectType: 'account',
        objectId: account.id,
        before: null,
        after: account,
      });
      return account;
    });
  }

  async get(id: string): Promise<Account> {
    const account = await this.store.repos.accounts.findById(id);
    if (!account) throw notFound('account', id);
    return account;
  }

  /** Children of a partner, or every account when no parent is given. */
  async list(parentId?: string): Promise<Account[]> {
    if (parentId === undefined) return this.store.repos.accounts.listAll();
    await this.get(parentId);
    return this.store.repos.accounts.listChildren(parentId);
  }

  async update(actor: Actor, id: string, patch: UpdateAccountInput): Promise<Account> {
    return this.store.transaction(async (tx) => {
      const before = await tx.accounts.findById(id);
      if (!before) throw notFound('account', id);
      const after = await tx.accounts.update(id, patch);
      if (!after) throw notFound('account', id);
      await tx.audit.append({
        accountId: id,
        actor,
        action: 'account.update',
        objectType: 'account',
        objectId: id,
        before,
        after,
      });
      return after;
    });
  }
}
