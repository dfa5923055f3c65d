import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, loadSecretKey } from './secret-box.js';

describe('SecretBox', () => {
  it('round-trips a secret and never writes it in clear', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt('hunter2-sip');
    expect(sealed).not.toContain('hunter2');
    expect(sealed.startsWith(`v1:${box.keyId}:`)).toBe(true);
    expect(box.decrypt(sealed)).toBe('hunter2-sip');
    expect(box.encrypt('hunter2-sip')).not.toBe(sealed);
  });

  it('refuses a tampered ciphertext and names a foreign key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt('secret');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('SECRET').toString('base64url');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    const other = new SecretBox(randomBytes(32));
    expect(() => other.decrypt(sealed)).toThrow(/another key/);
  });

  it('creates a 0600 key file once and reads the same key back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-key-'));
    const first = loadSecretKey({ dataDir: dir });
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ dataDir: dir }).equals(first)).toBe(true);
  });
});
