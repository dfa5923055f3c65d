import { AppError, notFound } from '../../domain/errors.js';
import { listSome } from '../../domain/numbers/index.js';
import type { Actor, ServiceNumber } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import type { AddServiceNumberInput } from '../schemas/numbers.schema.js';
import { findTrunkService, readPlainNumber } from './trunk-numbers.js';
import type { AccessService } from '../access.service.js';

/**
 * Service numbers of SIP trunk services: shared outbound caller IDs (the main number, a department's number) that
 * users of the trunk may show instead of their own number. Unique within an account.
 */
export class ServiceNumbersService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  async list(actor: Actor, accountId: string, serviceId: string): Promise<ServiceNumber[]> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    return this.store.repos.serviceNumbers.listByService(accountId, serviceId);
  }

  async add(
    actor: Actor,
    accountId: string,
    serviceId: string,
    input: AddServiceNumberInput,
  ): Promise<ServiceNumber> {
    await this.access.require(actor, accountId, 'service.write');
    return this.store.transaction(async (tx) => {
      const service = await findTrunkService(tx, accountId, serviceId, 'Service numbers');
      const number = readPlainNumber(input.number, 'number', service.country);
      const existing = await tx.serviceNumbers.findByNumber(accountId, number);
      if (existing) {
        const where =
          existing.serviceId === serviceId
            ? 'this trunk service'
            : `the trunk service "${(await tx.services.findById(accountId, existing.serviceId))?.name ?? existing.serviceId}"`;
        throw new AppError(
          'conflict',
          `${number} is already a service number ("${existing.label}") of ${where}. A service number is added once ` +
            'per account; delete it there first to move it.',
          { field: 'number', serviceNumberId: existing.id, serviceId: existing.serviceId },
        );
      }
      const created = await tx.serviceNumbers.create({ accountId, serviceId, number, label: input.label });
      await tx.audit.append({
        accountId,
        actor,
        action: 'service_number.create',
        objectType: 'service_number',
        objectId: created.id,
        before: null,
        after: created,
      });
      return created;
    });
  }

  /** Deletes a service number; refused, naming them, while users show it as their caller ID. */
  async delete(actor: Actor, accountId: string, serviceNumberId: string): Promise<void> {
    await this.access.require(actor, accountId, 'service.write');
    await this.store.transaction(async (tx) => {
      const existing = await tx.serviceNumbers.findById(accountId, serviceNumberId);
      if (!existing) throw notFound('service number', serviceNumberId);
      const users = await tx.serviceNumbers.listCallerIdUsers(accountId, existing.serviceId, existing.number);
      if (users.length > 0) {
        const named = users.map((user) => `${user.displayName} <${user.email}>`);
        throw new AppError(
          'precondition_failed',
          `The service number ${existing.number} cannot be deleted: ${users.length} user${users.length === 1 ? '' : 's'} ` +
            `show${users.length === 1 ? 's' : ''} it as caller ID: ${listSome(named)}. Change their caller ID first.`,
          { users: users.map((user) => ({ id: user.id, email: user.email })) },
        );
      }
      await tx.serviceNumbers.delete(accountId, serviceNumberId);
      await tx.audit.append({
        accountId,
        actor,
        action: 'service_number.delete',
        objectType: 'service_number',
        objectId: existing.id,
        before: existing,
        after: null,
      });
    });
  }
}
