/**
 * The three kinds of user number in the field (seed "Numbers"): a DDI (a direct number of its own, on a PBX service),
 * an extension number (the PBX's main number plus an extension: `tel:+441235123400;ext=201`), and a trunk number
 * (a number from one of a SIP trunk service's ranges; with no PBX behind a trunk, nothing could route an extension,
 * so trunk numbers never carry one).
 */

/** How a user's number reaches them. Shown and filterable in the portal. */
export type NumberType = 'ddi' | 'extension' | 'trunk';

/** The kind of voice service a number is used on. */
export type NumberServiceKind = 'pbx' | 'trunk';

/** Every number type, for filters and schema enums. */
export const numberTypes: readonly NumberType[] = ['ddi', 'extension', 'trunk'];

/** Labels for the portal and CLI. */
export const numberTypeLabels: Record<NumberType, string> = {
  ddi: 'DDI',
  extension: 'Extension',
  trunk: 'Trunk number',
};

/**
 * The type of a number as used on a service: trunk services give trunk numbers; on a PBX (or when the service is not
 * known yet) a number with an extension is an extension number, otherwise a DDI.
 * @example numberTypeFor('pbx', '201') // 'extension'
 * @example numberTypeFor('trunk', undefined) // 'trunk'
 */
export function numberTypeFor(
  serviceKind: NumberServiceKind | undefined,
  extension: string | undefined,
): NumberType {
  if (serviceKind === 'trunk') return 'trunk';
  return extension === undefined ? 'ddi' : 'extension';
}

/**
 * Narrow a stored or user-given string to a number type.
 * @example parseNumberType('DDI') // 'ddi'
 */
export function parseNumberType(value: string): NumberType | undefined {
  const wanted = value.trim().toLowerCase();
  return numberTypes.find((type) => type === wanted || numberTypeLabels[type].toLowerCase() === wanted);
}
