import { AppError, notFound } from '../domain/errors.js';
import type { Account, Actor } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import {
  brandInput,
  type Brand,
  type CreateAccountInput,
  type UpdateAccountInput,
} from './schemas/account.schema.js';

/** Partner and client accounts. Every change is audited in the same transaction as the change. */
export class AccountsService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  async create(actor: Actor, input: CreateAccountInput): Promise<Account> {
    const parentId = input.parentId ?? null;
    if (input.kind === 'client' && parentId === null) {
      throw new AppError(
        'validation_failed',
        'A client account needs the partner it belongs to: set parentId.',
        { field: 'parentId' },
      );
    }
    if (parentId === null) await this.access.requireOperator(actor, 'create a top-level partner account');
    else await this.access.require(actor, parentId, 'account.manage');
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

  async get(actor: Actor, id: string): Promise<Account> {
    await this.access.require(actor, id, 'account.read');
    const account = await this.store.repos.accounts.findById(id);
    if (!account) throw notFound('account', id);
    return account;
  }

  /** The accounts the actor can see, or the children of one partner among them. */
  async list(actor: Actor, parentId?: string): Promise<Account[]> {
    if (parentId !== undefined) {
      await this.access.require(actor, parentId, 'account.read');
      return this.store.repos.accounts.listChildren(parentId);
    }
    return this.access.visibleAccounts(actor);
  }

  /** A partner's brand: the portal's name, colour and support contact for its clients. */
  async getBrand(actor: Actor, id: string): Promise<Brand> {
    await this.access.require(actor, id, 'brand.read');
    return brandOf(await this.store.repos.accounts.getBrand(id));
  }

  async setBrand(actor: Actor, id: string, raw: Brand): Promise<Brand> {
    const brand = brandInput.parse(raw);
    await this.access.require(actor, id, 'brand.write');
    return this.store.transaction(async (tx) => {
      const before = brandOf(await tx.accounts.getBrand(id));
      await tx.accounts.setBrand(id, brand);
      await tx.audit.append({
        accountId: id,
        actor,
        action: 'account.brand',
        objectType: 'account',
        objectId: id,
        before,
        after: brand,
      });
      return brand;
    });
  }

  /**
   * Renames, suspends or reactivates an account. Suspending stops the account's service, so the partner above
   * decides it (a platform operator for a top-level partner), never the account itself; a suspended account
   * accepts no other change until it is reactivated.
   */
  async update(actor: Actor, id: string, patch: UpdateAccountInput): Promise<Account> {
    await this.access.require(actor, id, 'account.read');
    const current = await this.store.repos.accounts.findById(id);
    if (!current) throw notFound('account', id);
    const statusChange = patch.status !== undefined && patch.status !== current.status;
    if (!statusChange) await this.access.require(actor, id, 'account.manage');
    else {
      await this.requireStatusChange(actor, current);
      // A rename sent with the reactivation is judged as on the active account it becomes.
      const reactivating = patch.status === 'active';
      if (
        patch.name !== undefined &&
        (!reactivating || (await this.access.check(actor, id, 'account.manage')) !== 'allowed')
      )
        await this.access.require(actor, id, 'account.manage');
    }
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

  /** Who may suspend or reactivate: the partner above (itself active), or a platform operator at the top. */
  private async requireStatusChange(actor: Actor, account: Account): Promise<void> {
    if (account.parentId === null) {
      await this.access.requireOperator(actor, 'suspend or reactivate a partner account');
      return;
    }
    if ((await this.access.check(actor, account.parentId, 'account.manage')) !== 'allowed')
      throw new AppError(
        'forbidden',
        'Suspending or reactivating an account is done by the partner it belongs to.',
        { field: 'status' },
      );
    await this.access.requireActive(account.parentId);
  }
}

function brandOf(stored: Record<string, unknown> | null): Brand {
  const parsed = brandInput.safeParse(stored ?? {});
  return parsed.success ? parsed.data : {};
}
