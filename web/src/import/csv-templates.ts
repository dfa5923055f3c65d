import type { Service } from '../api/types.js';

/** The header rows of the field's two CSV templates (the server accepts the same; checked by a test). */
export const CSV_TEMPLATES: Record<Service['kind'], string[]> = {
  pbx: ['SIPUsername', 'Name', 'Email', 'PhoneNumber', 'AuthUsername', 'Password', 'ExternalId'],
  trunk: ['TrunkNumber', 'Name', 'Email', 'Caller ID', 'ExternalId'],
};

/** An example row, so the template shows how a number is written. */
const EXAMPLES: Record<Service['kind'], string[]> = {
  pbx: ['201', 'Anna Example', 'anna@contoso.com', '+441235123401', '', 'the-sip-password', 'E-201'],
  trunk: ['+441235123401', 'Anna Example', 'anna@contoso.com', '+441235123400', 'E-201'],
};

/** The template of a service kind as a file: header and one example row. */
export function templateCsv(kind: Service['kind']): string {
  return [CSV_TEMPLATES[kind], EXAMPLES[kind]].map((row) => row.join(',')).join('\r\n') + '\r\n';
}

/** A link target that downloads the template (a data: address: no request, nothing to clean up). */
export function templateHref(kind: Service['kind']): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(templateCsv(kind))}`;
}
