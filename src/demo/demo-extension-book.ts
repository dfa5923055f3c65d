import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The demo PBX's extensions and their passwords, kept in the data directory (`demo-pbx.json`, 0600 like the rest)
 * so the registrations survive a restart. What a PBX administrator's extension list is to a real PBX.
 */
export class DemoExtensionBook {
  private readonly passwords = new Map<string, string>();

  constructor(private readonly file: string) {
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { extensions?: Record<string, string> };
      for (const [username, password] of Object.entries(saved.extensions ?? {}))
        this.passwords.set(username, password);
    }
  }

  passwordOf(username: string): string | undefined {
    return this.passwords.get(username);
  }

  /** Create an extension with a random password (or return the existing one's). */
  add(username: string): string {
    const known = this.passwords.get(username);
    if (known !== undefined) return known;
    const password = randomBytes(12).toString('base64url');
    this.passwords.set(username, password);
    writeFileSync(
      this.file,
      JSON.stringify({ extensions: Object.fromEntries(this.passwords) }, null, 2) + '\n',
      {
        mode: 0o600,
      },
    );
    return password;
  }
}
