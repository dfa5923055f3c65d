import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key on disk, PEM. */
export interface PemPair {
  certFile: string;
  keyFile: string;
}

/** Options of one issued certificate. */
export interface IssueOptions {
  /** subjectAltName DNS entries; the first is also the CN. */
  dnsNames: string[];
  days?: number;
  /** Issue already expired (negative lifetime) or valid only from the future, for tests. */
  notBeforeOffsetDays?: number;
}

/**
 * A throw-away certificate authority for the Teams SIP emulator, the demo and the tests: a "Microsoft" proxy
 * certificate (`sip.pstnhub.microsoft.com`, sip2, sip3) and the SBC's base + wildcard certificate, both issued by
 * one local CA that each side trusts instead of the public roots.
 *
 * Debian's `openssl` CLI rather than an npm X.509 library: node:crypto cannot issue certificates, openssl is
 * already on every machine that runs Callbridge (and used by the SIP tests), it is the tool administrators use
 * for real certificates, and EC P-256 keys take milliseconds. It runs as a child process, off the event loop.
 *
 * @example const ca = await ThrowawayCa.create(dir); const sbc = await ca.issue('sbc', { dnsNames: ['sbc.test', '*.sbc.test'] });
 */
export class ThrowawayCa {
  private serial = 1;

  private constructor(
    readonly dir: string,
    readonly ca: PemPair,
  ) {}

  /** Create the CA (key and self-signed certificate, 10 years) in `dir`. */
  static async create(dir: string, name = 'Callbridge Throw-away Test CA'): Promise<ThrowawayCa> {
    await mkdir(dir, { recursive: true });
    const ca = { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key') };
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      ca.keyFile,
      '-out',
      ca.certFile,
      '-days',
      '3650',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return new ThrowawayCa(dir, ca);
  }

  /** Issue a certificate for server and client use (mutual TLS) under `<dir>/<name>.pem` and `.key`. */
  async issue(name: string, options: IssueOptions): Promise<PemPair> {
    const pair = { certFile: join(this.dir, `${name}.pem`), keyFile: join(this.dir, `${name}.key`) };
    const csr = join(this.dir, `${name}.csr`);
    const ext = join(this.dir, `${name}.ext`);
    await writeFile(
      ext,
      [
        `subjectAltName=${options.dnsNames.map((n) => `DNS:${n}`).join(',')}`,
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth,clientAuth',
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      pair.keyFile,
      '-out',
      csr,
      '-subj',
      `/CN=${options.dnsNames[0] ?? name}`,
    ]);
    const days = options.days ?? 90;
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.ca.certFile,
      '-CAkey',
      this.ca.keyFile,
      '-set_serial',
      String(Date.now() * 100 + this.serial++),
      '-out',
      pair.certFile,
      '-days',
      String(days),
      '-extfile',
      ext,
    ]);
    return pair;
  }
}
