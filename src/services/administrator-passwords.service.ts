import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Actor, Administrator } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import { administratorPassword, type AdministratorsService } from './administrators.service.js';

/** The names of the API tokens behind portal sessions: opened with a password (or invitation), or with Entra ID. */
export const PORTAL_SESSION_TOKEN = 'portal session';
export const ENTRA_SESSION_TOKEN = 'portal session (Entra ID)';
const SESSION_TOKENS = [PORTAL_SESSION_TOKEN, ENTRA_SESSION_TOKEN];

export const changePasswordInput = z.strictObject({
  currentPassword: z.string().min(1, 'enter your current password').max(1024),
  newPassword: administratorPassword,
});
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;

/**
 * Changing one's own password, and an operator's reset. One rule for every password (`administratorPassword`);
 * a password someone else chose (first start, `callbridge admin create`, a reset) must be changed at the next
 * sign-in; every change ends the administrator's other portal sessions and is audited (never the password).
 */
export class AdministratorPasswordsService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly administrators: AdministratorsService,
  ) {}

  /**
   * The signed-in administrator changes their own password, proving the current one (a wrong one counts
   * towards the sign-in lock). The session `currentTokenId` stays open; the others end.
   */
  async change(
    administrator: Administrator,
    currentTokenId: string,
    raw: ChangePasswordInput,
  ): Promise<void> {
    const input = changePasswordInput.parse(raw);
    const proven = await this.administrators.signIn(administrator.email, input.currentPassword);
    if (!proven.ok || proven.administrator.id !== administrator.id)
      throw new AppError(
        'validation_failed',
        'The current password is not right (after repeated failures it is refused for a while: ask a platform operator to unlock it).',
        {
          field: 'currentPassword',
        },
      );
    if (input.newPassword === input.currentPassword)
      throw new AppError('validation_failed', 'Choose a new password that differs from the current one.', {
        field: 'newPassword',
      });
    const passwordHash = await hash(input.newPassword);
    const actor: Actor = {
      type: 'administrator',
      id: administrator.id,
      label: administrator.email,
      source: 'portal',
    };
    await this.store.transaction(async (tx) => {
      await tx.administrators.setPasswordHash(administrator.id, passwordHash, false);
      await tx.administrators.revokeSessions(administrator.id, SESSION_TOKENS, currentTokenId);
      await tx.audit.append({
        accountId: null,
        actor,
        action: 'administrator.password_change',
        objectType: 'administrator',
        objectId: administrator.id,
        before: null,
        after: { email: administrator.email },
      });
    });
  }

  /**
   * A platform operator sets an administrator's password (the one given, or a random one returned to pass on):
   * it must be changed at the next sign-in, and every open portal session of that administrator ends.
   */
  async reset(actor: Actor, email: string, chosen?: string): Promise<{ password: string }> {
    await this.access.requireOperator(actor, "reset another administrator's password");
    const password = chosen ?? randomBytes(12).toString('base64url');
    const parsed = administratorPassword.safeParse(password);
    if (!parsed.success)
      throw new AppError(
        'validation_failed',
        `The password ${parsed.error.issues[0]?.message ?? 'is not valid'}.`,
        {
          field: 'password',
        },
      );
    const found = await this.store.repos.administrators.findByEmail(email);
    if (!found)
      throw new AppError('not_found', `No administrator has the email ${email}.`, { field: 'email' });
    const passwordHash = await hash(password);
    await this.store.transaction(async (tx) => {
      await tx.administrators.setPasswordHash(found.id, passwordHash, true);
      await tx.administrators.revokeSessions(found.id, SESSION_TOKENS);
      await tx.audit.append({
        accountId: null,
        actor,
        action: 'administrator.password_reset',
        objectType: 'administrator',
        objectId: found.id,
        before: null,
        after: { email: found.email, mustChangePassword: true },
      });
    });
    return { password };
  }
}
