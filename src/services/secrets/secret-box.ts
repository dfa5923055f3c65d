import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { AppError } from '../../domain/errors.js';

const VERSION = 'v1';

/**
 * Encrypts secrets at rest (SIP passwords, Microsoft app credentials) with AES-256-GCM. A ciphertext is
 * `v1:<key id>:<iv>:<tag>:<data>` (base64url parts); the key id lets a rotation tell old ciphertexts from new.
 * Node's crypto module is the library here: GCM with a random 96-bit IV per secret is all that is needed.
 *
 * @example const box = new SecretBox(key); box.decrypt(box.encrypt('s3cret')) === 's3cret'
 */
export class SecretBox {
  readonly keyId: string;
  /** Keys this box decrypts with, by key id: the current one and any older or newer ones it was given. */
  private readonly ring = new Map<string, Buffer>();

  /**
   * @param key the key new secrets are encrypted with
   * @param others keys still accepted for decryption (during and after a key rotation)
   * @param reload called once when a ciphertext names a key id this box does not hold (another process
   *   rotated the key); returns the keys now on disk
   */
  constructor(
    private readonly key: Buffer,
    others: readonly Buffer[] = [],
    private readonly reload?: () => Buffer[],
  ) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes.');
    this.keyId = keyIdOf(key);
    for (const k of [key, ...others]) this.ring.set(keyIdOf(k), k);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.keyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      data.toString('base64url'),
    ].join(':');
  }

  decrypt(ciphertext: string): string {
    const [version, keyId, iv, tag, data] = ciphertext.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || data === undefined)
      throw new AppError('internal', 'A stored secret is not in a known format.');
    if (!this.ring.has(keyId) && this.reload) for (const k of this.reload()) this.ring.set(keyIdOf(k), k);
    const key = this.ring.get(keyId);
    if (!key) {
      throw new AppError(
        'internal',
        `A stored secret was encrypted with another key (${keyId}); configure that key or run the key rotation.`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** True when the ciphertext was made with the current key (a rotation leaves nothing else behind). */
  isCurrent(ciphertext: string): boolean {
    return ciphertext.split(':')[1] === this.keyId;
  }
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/**
 * The key from configuration (base64), or else the key file `secret.key` in the data directory, created with
 * mode 0600 on first use.
 */
export function loadSecretKey(options: { secretKey?: string | undefined; dataDir: string }): Buffer {
  if (options.secretKey) return Buffer.from(options.secretKey, 'base64');
  const file = path.join(options.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new Error(`${file} does not hold a 32-byte base64 key; restore it from backup.`);
  return key;
}

const KEY_FILE = 'secret.key';
const NEXT_KEY_FILE = 'secret.key.next';
const RETIRED_KEY_PREFIX = 'secret.key.retired-';

function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new Error(`${file} does not hold a 32-byte base64 key; restore it from backup.`);
  return key;
}

/** Every key file in the data directory besides the current one: a rotation in progress, retired keys. */
export function loadOtherKeys(dataDir: string): Buffer[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((f) => f === NEXT_KEY_FILE || f.startsWith(RETIRED_KEY_PREFIX))
    .map((f) => readKeyFile(path.join(dataDir, f)));
}

/** The secret box of an installation: its key, the other key files, reloaded when another process rotates. */
export function openSecretBox(options: { secretKey?: string | undefined; dataDir: string }): SecretBox {
  const reload = () => {
    const keys = loadOtherKeys(options.dataDir);
    if (!options.secretKey && existsSync(path.join(options.dataDir, KEY_FILE)))
      keys.push(readKeyFile(path.join(options.dataDir, KEY_FILE)));
    return keys;
  };
  return new SecretBox(loadSecretKey(options), loadOtherKeys(options.dataDir), reload);
}

/**
 * Key rotation, step by step so a crash at any point loses nothing: the new key is written to `secret.key.next`
 * first (every box reading the directory accepts it from then on); `reencrypt` re-encrypts every stored secret
 * with it in one transaction; then the old key is kept as `secret.key.retired-<id>` (old backups need it) and
 * the new one becomes `secret.key`. With a key from configuration, the new key is given and the caller sets it
 * in the configuration afterwards.
 */
export async function rotateSecretKey(options: {
  dataDir: string;
  configuredKey?: string | undefined;
  newKey?: Buffer | undefined;
  reencrypt: (from: SecretBox, to: SecretBox) => Promise<number>;
}): Promise<{ oldKeyId: string; newKeyId: string; reencrypted: number; newKeyBase64?: string }> {
  const current = loadSecretKey({ secretKey: options.configuredKey, dataDir: options.dataDir });
  const next = options.newKey ?? randomBytes(32);
  if (next.length !== 32)
    throw new AppError('validation_failed', 'The new key must be 32 bytes (base64 of 32 bytes).');
  const from = new SecretBox(current, loadOtherKeys(options.dataDir));
  const to = new SecretBox(next, [current, ...loadOtherKeys(options.dataDir)]);
  if (from.keyId === to.keyId) throw new AppError('validation_failed', 'The new key is the current key.');
  const nextFile = path.join(options.dataDir, NEXT_KEY_FILE);
  if (!options.configuredKey) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(nextFile, next.toString('base64') + '\n', { mode: 0o600 });
  }
  const reencrypted = await options.reencrypt(from, to);
  if (!options.configuredKey) {
    renameSync(
      path.join(options.dataDir, KEY_FILE),
      path.join(options.dataDir, RETIRED_KEY_PREFIX + from.keyId),
    );
    renameSync(nextFile, path.join(options.dataDir, KEY_FILE));
    return { oldKeyId: from.keyId, newKeyId: to.keyId, reencrypted };
  }
  return { oldKeyId: from.keyId, newKeyId: to.keyId, reencrypted, newKeyBase64: next.toString('base64') };
}
