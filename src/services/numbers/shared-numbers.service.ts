import { AppError, notFound } from '../../domain/errors.js';
import { groupSharedNumbers } from '../../domain/numbers/index.js';
import type { Actor } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import type { SharedNumbersView } from '../schemas/numbers.schema.js';
import type { AccessService } from '../access.service.js';

/** The provider-wide report: numbers held by users of more than one of a partner's customers. */
export class SharedNumbersService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  /** Every E.164 number held in more than one account beneath the partner (at any depth), with its holders. */
  async report(actor: Actor, accountId: string): Promise<SharedNumbersView> {
    await this.access.require(actor, accountId, 'service.read');
    const account = await this.store.repos.accounts.findById(accountId);
    if (!account) throw notFound('account', accountId);
    if (account.kind !== 'partner') {
      throw new AppError(
        'validation_failed',
        `"${account.name}" is a client account; the report of numbers used by several customers is run for the ` +
          'partner above them. Use the partner account.',
        { field: 'accountId' },
      );
    }
    const rows = await this.store.repos.users.listNumbersSharedBeneath(accountId);
    return { partnerId: accountId, items: groupSharedNumbers(rows) };
  }
}
