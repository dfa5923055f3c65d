import { AppError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import type { AccessService } from '../access.service.js';
import type { AccountsService } from '../accounts.service.js';
import { teamsAppPackage } from './teams-app-package.js';

export interface TeamsAppPackageOptions {
  teamsAppId: string;
  clientId: string;
  publicUrl: string;
}

/**
 * The Phone App's Teams app package as a provider downloads it: built from the partner's brand on each request
 * (a brand change shows in the next download), never stored.
 */
export class TeamsAppPackageService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly accounts: AccountsService,
    private readonly options: TeamsAppPackageOptions,
  ) {}

  /** The zip and a file name for it; only a partner (the provider) has a package, with its own brand. */
  async download(actor: Actor, accountId: string): Promise<{ fileName: string; zip: Uint8Array }> {
    await this.access.require(actor, accountId, 'brand.read');
    const account = await this.store.repos.accounts.findById(accountId);
    if (!account) throw notFound('account', accountId);
    if (account.kind !== 'partner')
      throw new AppError(
        'precondition_failed',
        "The Teams app is published by the provider under its brand: download it from the partner account, not a client's.",
        { kind: account.kind },
      );
    const brand = await this.accounts.getBrand(actor, accountId);
    const zip = teamsAppPackage({
      teamsAppId: this.options.teamsAppId,
      clientId: this.options.clientId,
      publicUrl: this.options.publicUrl,
      providerName: account.name,
      brand,
    });
    const slug = (brand.productName ?? account.name).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    return { fileName: `${slug || 'phone-app'}-teams-app.zip`, zip };
  }
}
