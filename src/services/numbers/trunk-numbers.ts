/** What the numbers services share: finding a trunk service, and reading a plain E.164 number (no extension). */
import { AppError, notFound } from '../../domain/errors.js';
import { parsePhoneNumberInput } from '../../domain/numbers/index.js';
import type { VoiceService } from '../../domain/records.js';
import type { Repositories } from '../../store/store.js';

/**
 * The service, which must be a SIP trunk service: ranges and service numbers belong to trunks.
 * @example const service = await findTrunkService(tx, accountId, serviceId, 'Number ranges');
 */
export async function findTrunkService(
  repos: Repositories,
  accountId: string,
  serviceId: string,
  what: string,
): Promise<VoiceService> {
  const service = await repos.services.findById(accountId, serviceId);
  if (!service) throw notFound('service', serviceId);
  if (service.kind !== 'trunk') {
    throw new AppError(
      'validation_failed',
      `${what} belong to SIP trunk services, and "${service.name}" is a PBX service: its PBX gives users their ` +
        `numbers. Choose a trunk service, or create one with kind "trunk".`,
      { field: 'serviceId', serviceKind: service.kind },
    );
  }
  return service;
}

/**
 * A number typed by an administrator as E.164 without an extension (a service number, a caller ID); a national
 * number is refused with the E.164 form offered.
 * @example readPlainNumber('+44 1235 123400', 'number', 'GB') // '+441235123400'
 */
export function readPlainNumber(raw: string, field: string, defaultCountry: string | null): string {
  const parsed = parsePhoneNumberInput(raw, { defaultCountry, repairExcelDamage: false });
  if (!parsed.ok) {
    throw new AppError('invalid_phone_number', parsed.message, {
      field,
      problem: parsed.problem,
      ...(parsed.suggestion && { suggestion: parsed.suggestion }),
    });
  }
  if (parsed.extension !== undefined) {
    throw new AppError(
      'validation_failed',
      `${raw.trim()} has an extension; a ${field === 'callerId' ? 'caller ID' : 'service number'} is a number of ` +
        'its own, shown on outbound calls. Remove the extension.',
      { field },
    );
  }
  return parsed.e164;
}
