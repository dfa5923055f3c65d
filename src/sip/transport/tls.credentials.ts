import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { SipError } from '../sip.error.js';

/** Where our TLS identity lives: PEM files, reloaded when they change (certificates renew every few weeks). */
export interface TlsFiles {
  /** Our certificate chain (leaf first), PEM. */
  certFile: string;
  /** Its private key, PEM. */
  keyFile: string;
  /** CA bundle to check peers against; absent: Node's bundled public roots (what Microsoft's chain needs). */
  caFile?: string;
}

/** What we know about our own certificate, for the edge page and metrics. */
export interface CertificateInfo {
  subject: string;
  /** DNS names it covers (subjectAltName), e.g. `sbc.example.com`, `*.sbc.example.com`. */
  dnsNames: string[];
  validTo: string;
  daysLeft: number;
  fingerprint256: string;
}

/** Loaded PEM material and the contexts built from it. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
  /** For connections we open (client side). */
  context: SecureContext;
  info: CertificateInfo;
}

/** TLS 1.2 is Microsoft's floor for Direct Routing; 1.0 and 1.1 are refused both ways. */
export const MIN_TLS_VERSION = 'TLSv1.2';

/** Read and check the PEM files; throws `sip_tls_config` with what is wrong and how to fix it. */
export async function loadTlsCredentials(files: TlsFiles, now = Date.now()): Promise<TlsCredentials> {
  const [cert, key, ca] = await Promise.all([
    readPem(files.certFile, 'certificate'),
    readPem(files.keyFile, 'private key'),
    files.caFile === undefined ? Promise.resolve(undefined) : readPem(files.caFile, 'CA bundle'),
  ]);
  let context: SecureContext;
  try {
    context = createSecureContext({ cert, key, ca, minVersion: MIN_TLS_VERSION });
  } catch (error) {
    throw new SipError(
      'sip_tls_config',
      `The TLS certificate ${files.certFile} and key ${files.keyFile} cannot be used together: ${(error as Error).message}. Check that the key belongs to the certificate and both are PEM.`,
    );
  }
  return { cert, key, ca, context, info: certificateInfo(cert, now) };
}

/** Subject, DNS names and days left of the first certificate in a PEM chain. */
export function certificateInfo(pem: Buffer, now = Date.now()): CertificateInfo {
  const x509 = new X509Certificate(pem);
  const validTo = new Date(x509.validTo);
  return {
    subject: x509.subject,
    dnsNames: dnsNamesOf(x509.subjectAltName),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - now) / 86_400_000),
    fingerprint256: x509.fingerprint256,
  };
}

/** `DNS:a.example, DNS:*.b.example, IP Address:192.0.2.1` -> ['a.example', '*.b.example']. */
export function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('DNS:'))
    .map((part) => part.slice(4).toLowerCase());
}

/**
 * True when a certificate name covers a host: exactly, or as a wildcard for one label (RFC 6125 section 6.4.3:
 * `*.sbc.example.com` covers `contoso.sbc.example.com`, not `sbc.example.com` or `a.b.sbc.example.com`).
 */
export function nameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

async function readPem(path: string, what: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw new SipError(
      'sip_tls_config',
      `Cannot read the TLS ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Set the path to a readable PEM file.`,
    );
  }
  if (!data.includes('-----BEGIN ')) {
    throw new SipError('sip_tls_config', `The TLS ${what} at ${path} is not PEM (no "-----BEGIN" line).`);
  }
  return data;
}
