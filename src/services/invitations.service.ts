import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { z } from 'zod';
import { ROLE_LABELS, type Role } from '../domain/access.js';
import { AppError, notFound } from '../domain/errors.js';
import type { Actor, Administrator } from '../domain/records.js';
import type { InvitationRecord } from '../store/repositories/access.repository.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import {
  administratorPassword,
  hashApiToken,
  roleInput,
  type AdministratorsService,
} from './administrators.service.js';
import type { Mailer } from './mailer.js';

export const inviteInput = z.object({
  email: z.email('must be an email address'),
  role: roleInput,
});
export type InviteInput = z.infer<typeof inviteInput>;

export const acceptInvitationInput = z.object({
  token: z.string().min(10),
  password: administratorPassword
    .optional()
    .describe('Needed when no administrator with this email exists yet.'),
  displayName: z.string().trim().min(1).max(200).optional(),
});
export type AcceptInvitationInput = z.infer<typeof acceptInvitationInput>;

const INVITATION_PREFIX = 'cbi_';
const INVITATION_DAYS = 7;

/**
 * Invitations to a role on an account: a single-use link, valid for 7 days, stored as a hash only, mailed or handed
 * to the inviter; accepting it creates the administrator or adds the role to the one with that email.
 */
export class InvitationsService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly administrators: AdministratorsService,
    /** The portal's address, for invitation links. */
    private readonly publicUrl: string,
    private readonly mailer: Mailer | undefined,
  ) {}

  /**
   * Invites someone by email to a role on the account: a single-use link valid for 7 days, mailed through the
   * configured SMTP server, or returned to the inviter to pass on when no mail server is set.
   */
  async invite(
    actor: Actor,
    accountId: string,
    raw: InviteInput,
  ): Promise<{ invitation: InvitationRecord; emailed: boolean; link?: string }> {
    const input = inviteInput.parse(raw);
    await this.administrators.requireGrantable(actor, accountId, input.role);
    const token = INVITATION_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000).toISOString();
    const { invitation, accountName } = await this.store.transaction(async (tx) => {
      const account = await tx.accounts.findById(accountId);
      if (!account) throw notFound('account', accountId);
      const created = await tx.access.createInvitation({
        accountId,
        email: input.email,
        role: input.role,
        tokenHash: hashApiToken(token),
        invitedBy: actor.label,
        expiresAt,
      });
      await tx.audit.append({
        accountId,
        actor,
        action: 'invitation.create',
        objectType: 'invitation',
        objectId: created.id,
        before: null,
        after: { email: created.email, role: created.role, expiresAt },
      });
      return { invitation: created, accountName: account.name };
    });
    const link = `${this.publicUrl.replace(/\/$/, '')}/invitation#token=${token}`;
    if (!this.mailer) return { invitation, emailed: false, link };
    await this.mailer.send({
      to: invitation.email,
      subject: `You are invited to manage ${accountName} on Callbridge`,
      text: [
        `${actor.label} invited you to ${accountName} as ${ROLE_LABELS[invitation.role]}.`,
        '',
        `Accept the invitation (the link works once, until ${expiresAt.slice(0, 10)}):`,
        link,
      ].join('\n'),
    });
    return { invitation, emailed: true };
  }

  async listInvitations(actor: Actor, accountId: string): Promise<InvitationRecord[]> {
    await this.access.require(actor, accountId, 'access.manage', undefined, { reading: true });
    return this.store.repos.access.listInvitations(accountId);
  }

  async revokeInvitation(actor: Actor, accountId: string, id: string): Promise<void> {
    await this.access.require(actor, accountId, 'access.manage');
    const invitation = await this.store.repos.access.findInvitation(accountId, id);
    if (!invitation) throw notFound('invitation', id);
    await this.store.transaction(async (tx) => {
      if (!(await tx.access.closeInvitation(id, 'revoked_at')))
        throw new AppError('conflict', 'The invitation was already accepted or revoked.');
      await tx.audit.append({
        accountId,
        actor,
        action: 'invitation.revoke',
        objectType: 'invitation',
        objectId: id,
        before: { email: invitation.email, role: invitation.role },
        after: null,
      });
    });
  }

  /**
   * What an invitation link is for, to the person holding it: the email, account and role, and whether that email
   * already has an administrator (who then confirms with their password instead of choosing one).
   */
  async describeInvitation(token: string): Promise<{
    email: string;
    accountName: string;
    role: Role;
    existingAdministrator: boolean;
  }> {
    const invitation = await this.openInvitation(token);
    const account = await this.store.repos.accounts.findById(invitation.accountId);
    return {
      email: invitation.email,
      accountName: account?.name ?? '',
      role: invitation.role,
      existingAdministrator:
        (await this.store.repos.administrators.findByEmail(invitation.email)) !== undefined,
    };
  }

  /**
   * Accepts an invitation: creates the administrator with the chosen password, or adds the role to the existing
   * administrator with that email once they prove it with their password. The link works once.
   */
  async acceptInvitation(raw: AcceptInvitationInput): Promise<Administrator> {
    const input = acceptInvitationInput.parse(raw);
    const invitation = await this.openInvitation(input.token);
    const existing = await this.store.repos.administrators.findByEmail(invitation.email);
    if (!input.password)
      throw new AppError(
        'validation_failed',
        existing
          ? `Enter the password of ${invitation.email} to add this account to it.`
          : 'Choose a password of at least 12 characters.',
        { field: 'password' },
      );
    if (existing && !(await this.administrators.signIn(invitation.email, input.password)).ok)
      throw new AppError(
        'unauthenticated',
        `The password is not right for ${invitation.email} (an administrator with this email exists already).`,
        { field: 'password' },
      );
    const passwordHash = !existing && input.password ? await hash(input.password) : null;
    const actor: Actor = {
      type: 'administrator',
      id: existing?.id ?? null,
      label: invitation.email,
      source: 'portal',
    };
    return this.store.transaction(async (tx) => {
      if (!(await tx.access.closeInvitation(invitation.id, 'accepted_at'))) throw unusableInvitation();
      const admin: Administrator = existing
        ? withoutHash(existing)
        : await tx.administrators.create({
            email: invitation.email,
            displayName: input.displayName ?? invitation.email,
            passwordHash,
          });
      await tx.access.grant(admin.id, invitation.accountId, invitation.role);
      await tx.audit.append({
        accountId: invitation.accountId,
        actor: { ...actor, id: admin.id },
        action: 'invitation.accept',
        objectType: 'invitation',
        objectId: invitation.id,
        before: { acceptedAt: null },
        after: { administratorId: admin.id, email: admin.email, role: invitation.role, created: !existing },
      });
      return admin;
    });
  }

  /** The invitation a link's token opens, while it can still be accepted (single use, not revoked, not expired). */
  private async openInvitation(token: string): Promise<InvitationRecord> {
    const invitation = await this.store.repos.access.findInvitationByHash(hashApiToken(token));
    if (
      !invitation ||
      invitation.acceptedAt ||
      invitation.revokedAt ||
      invitation.expiresAt <= new Date().toISOString()
    )
      throw unusableInvitation();
    return invitation;
  }
}

function withoutHash(found: Administrator & { passwordHash: string | null }): Administrator {
  const { passwordHash: _passwordHash, ...administrator } = found;
  return administrator;
}

function unusableInvitation(): AppError {
  return new AppError(
    'not_found',
    'This invitation link is not valid: it was used already, revoked or has expired. Ask for a new invitation.',
  );
}
