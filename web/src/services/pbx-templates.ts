/** A starting point for a PBX's registration settings; every value stays editable. */
export interface PbxTemplate {
  value: string;
  label: string;
  transport: 'udp' | 'tcp' | 'tls';
  proxyPort: number;
  registrationExpiry: number;
  hint: string;
}

// Ports and expiries are the PBXs' factory defaults for SIP extensions; administrators change them to match.
export const PBX_TEMPLATES: PbxTemplate[] = [
  {
    value: '3cx',
    label: '3CX',
    transport: 'udp',
    proxyPort: 5060,
    registrationExpiry: 3600,
    hint: 'Use the extension number as SIP username and its authentication ID and password from the 3CX console.',
  },
  {
    value: 'freepbx',
    label: 'FreePBX / Asterisk',
    transport: 'udp',
    proxyPort: 5060,
    registrationExpiry: 3600,
    hint: 'Use a PJSIP extension: the extension number as SIP username and its secret as password.',
  },
  {
    value: 'cisco-cucm',
    label: 'Cisco CUCM',
    transport: 'tcp',
    proxyPort: 5060,
    registrationExpiry: 3600,
    hint: 'Use a third-party SIP device (advanced) with digest authentication; the digest user is the auth username.',
  },
  {
    value: 'avaya',
    label: 'Avaya',
    transport: 'tcp',
    proxyPort: 5060,
    registrationExpiry: 3600,
    hint: 'Use a SIP extension: its number as SIP username and its SIP password.',
  },
  {
    value: 'mitel',
    label: 'Mitel',
    transport: 'udp',
    proxyPort: 5060,
    registrationExpiry: 3600,
    hint: 'Use a generic SIP phone: the directory number as SIP username, its SIP user name and password.',
  },
  {
    value: 'custom',
    label: 'Custom',
    transport: 'udp',
    proxyPort: 5060,
    registrationExpiry: 3600,
    hint: 'Any PBX that accepts SIP REGISTER with digest authentication.',
  },
];

/** The template of a stored PBX type, or undefined for a type this portal does not know. */
export function findTemplate(value: string): PbxTemplate | undefined {
  return PBX_TEMPLATES.find((t) => t.value === value);
}

/** A readable name for a stored PBX type. */
export function templateLabel(value: string): string {
  return findTemplate(value)?.label ?? value;
}
