import { AppError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/records.js';
import type { TrunkSettings } from '../../domain/trunk.js';
import type { Store } from '../../store/store.js';
import type { AccessService } from '../access.service.js';
import { findTrunkService } from '../numbers/trunk-numbers.js';
import {
  trunkSettingsInput,
  type TrunkSettingsInput,
  type TrunkSettingsView,
} from '../schemas/trunk-settings.schema.js';
import type { SecretBox } from '../secrets/secret-box.js';

/**
 * The SIP trunk of a trunk service (issue 19): how calls reach the carrier and come from it. The settings are
 * written whole (PUT); the password is sealed at once, never returned nor audited, and kept when a change leaves
 * it out. A change reaches the sip role at once (`trunksChanged`), which re-registers and re-pings the trunk.
 */
export class TrunkSettingsService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly access: AccessService,
    private readonly trunksChanged: () => void = () => undefined,
  ) {}

  /** The trunk's settings with its registration state and health; 404 when never configured. */
  async get(actor: Actor, accountId: string, serviceId: string): Promise<TrunkSettingsView> {
    await this.access.require(actor, accountId, 'service.read');
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    const settings = await this.store.repos.trunkSettings.find(accountId, serviceId);
    if (!settings) {
      throw new AppError(
        'not_found',
        `The trunk of "${service.name}" is not configured yet: PUT its settings (kind, domain, addresses) first.`,
        { kind: 'trunk settings', id: serviceId },
      );
    }
    return viewOf(settings);
  }

  /** Configure the trunk (the whole set). A registration trunk must end up with a password. */
  async put(
    actor: Actor,
    accountId: string,
    serviceId: string,
    raw: TrunkSettingsInput,
  ): Promise<TrunkSettingsView> {
    const input = trunkSettingsInput.parse(raw);
    await this.access.require(actor, accountId, 'service.write');
    const saved = await this.store.transaction(async (tx) => {
      await findTrunkService(tx, accountId, serviceId, 'Trunk settings');
      const before = await tx.trunkSettings.find(accountId, serviceId);
      const passwordEnc =
        input.password !== undefined ? this.secrets.encrypt(input.password) : (before?.passwordEnc ?? null);
      if (input.kind === 'registration' && passwordEnc === null) {
        throw new AppError(
          'validation_failed',
          'A registration trunk registers with a username and password: send the password the carrier gave you.',
          { field: 'password' },
        );
      }
      const after = await tx.trunkSettings.save(
        {
          serviceId,
          accountId,
          kind: input.kind,
          domain: input.domain,
          addresses: input.addresses.map((a) => ({ host: a.host, port: a.port ?? null })),
          transport: input.transport,
          username: input.username ?? null,
          authUsername: input.authUsername ?? null,
          passwordEnc,
          numberFormat: input.numberFormat,
          numberPrefix: input.numberPrefix,
          calledNumberFrom: input.calledNumberFrom,
          assertIdentity: input.assertIdentity,
          maxChannels: input.maxChannels ?? null,
          codecs: input.codecs,
        },
        new Date().toISOString(),
      );
      await tx.audit.append({
        accountId,
        actor,
        action: before ? 'trunk.update' : 'trunk.create',
        objectType: 'service',
        objectId: serviceId,
        before: before ? audited(before, input.password !== undefined) : null,
        after: audited(after, input.password !== undefined),
      });
      return after;
    });
    this.trunksChanged();
    return viewOf(saved);
  }
}

/** The settings as the audit log keeps them: whether a password was set or changed, never the sealed value. */
function audited(settings: TrunkSettings, passwordChanged: boolean) {
  const { passwordEnc, registrationDetail: _d, health: _h, ...rest } = settings;
  return { ...rest, hasPassword: passwordEnc !== null, passwordChanged };
}

/** The API's view: no password, its presence only. */
export function viewOf(settings: TrunkSettings): TrunkSettingsView {
  return {
    serviceId: settings.serviceId,
    kind: settings.kind,
    domain: settings.domain,
    addresses: settings.addresses,
    transport: settings.transport,
    username: settings.username,
    authUsername: settings.authUsername,
    hasPassword: settings.passwordEnc !== null,
    numberFormat: settings.numberFormat,
    numberPrefix: settings.numberPrefix,
    calledNumberFrom: settings.calledNumberFrom,
    assertIdentity: settings.assertIdentity,
    maxChannels: settings.maxChannels,
    codecs: settings.codecs,
    registration: settings.registrationState
      ? {
          state: settings.registrationState,
          detail: settings.registrationDetail ?? {},
          updatedAt: settings.stateUpdatedAt,
        }
      : null,
    health: settings.health,
    createdAt: settings.createdAt,
    updatedAt: settings.updatedAt,
  };
}
