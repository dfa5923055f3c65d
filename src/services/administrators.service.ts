import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Actor, Administrator } from '../domain/records.js';
import type { Store } from '../store/store.js';

export const createAdministratorInput = z.object({
  email: z.email('must be an email address'),
  password: z.string().min(12, 'must be at least 12 characters').max(1024),
  displayName: z.string().trim().min(1).max(200).optional(),
});
export type CreateAdministratorInput = z.infer<typeof createAdministratorInput>;

const TOKEN_PREFIX = 'cb_';

/** SHA-256 of an API token: tokens are 256-bit random, so a fast hash is enough (unlike passwords). */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Administrators and API tokens. Passwords are hashed with argon2id; tokens are stored as hashes only. */
export class AdministratorsService {
  constructor(private readonly store: Store) {}

  async create(actor: Actor, raw: CreateAdministratorInput): Promise<Administrator> {
    const input = createAdministratorInput.parse(raw);
    const passwordHash = await hash(input.password);
    return this.store.transaction(async (tx) => {
      const admin = await tx.administrators.create({
        email: input.email,
        displayName: input.displayName ?? input.email,
        passwordHash,
      });
      await tx.audit.append({
        accountId: null,
        actor,
        action: 'administrator.create',
        objectType: 'administrator',
        objectId: admin.id,
        before: null,
        after: admin,
      });
      return admin;
    });
  }

  /** Checks a password; undefined when the email or password is wrong (callers must not say which). */
  async verifyPassword(email: string, password: string): Promise<Administrator | undefined> {
    const found = await this.store.repos.administrators.findByEmail(email);
    if (!found?.passwordHash) return undefined;
    const { passwordHash: _passwordHash, ...administrator } = found;
    return (await verify(found.passwordHash, password)) ? administrator : undefined;
  }

  /** Creates an API token for an administrator; the token is returned once and never stored in clear. */
  async createToken(
    actor: Actor,
    email: string,
    name: string,
    expiresAt: Date | null = null,
  ): Promise<{ token: string; id: string }> {
    const admin = await this.store.repos.administrators.findByEmail(email);
    if (!admin)
      throw new AppError(
        'not_found',
        `No administrator has the email ${email}; create one with \`callbridge admin create\`.`,
        { field: 'email' },
      );
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.store.transaction(async (tx) => {
      const record = await tx.administrators.createToken({
        administratorId: admin.id,
        name,
        tokenHash: hashApiToken(token),
        prefix: token.slice(0, 8),
        expiresAt: expiresAt?.toISOString() ?? null,
      });
      await tx.audit.append({
        accountId: null,
        actor,
        action: 'api_token.create',
        objectType: 'api_token',
        objectId: record.id,
        before: null,
        after: { name, prefix: record.prefix, administratorId: admin.id },
      });
      return { token, id: record.id };
    });
  }

  /** Revokes one of an administrator's tokens (sign-out, or a leaked token). */
  async revokeToken(administratorId: string, tokenId: string): Promise<boolean> {
    return this.store.repos.administrators.revokeToken(administratorId, tokenId);
  }

  /** The administrator an API token belongs to, or undefined for an unknown, revoked or expired token. */
  async authenticateToken(
    token: string,
  ): Promise<{ administrator: Administrator; tokenId: string } | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const found = await this.store.repos.administrators.findLiveToken(hashApiToken(token));
    if (!found) return undefined;
    await this.store.repos.administrators.touchToken(found.token.id);
    return { administrator: found.administrator, tokenId: found.token.id };
  }
}
