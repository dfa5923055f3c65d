import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { PERMISSIONS, ROLE_LABELS, ROLES } from '../../domain/access.js';
import { AppError } from '../../domain/errors.js';
import { suspensionNotice } from '../../domain/suspension.js';
import { roleInput } from '../../services/administrators.service.js';
import { inviteInput } from '../../services/invitations.service.js';
import { auditQuery } from '../../services/audit.service.js';
import { brandInput } from '../../services/schemas/account.schema.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });

const assignmentView = z
  .object({
    id: z.string(),
    administratorId: z.string(),
    email: z.string(),
    displayName: z.string(),
    accountId: z.string(),
    role: z.enum(ROLES),
    roleLabel: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'RoleAssignment' });

const invitationView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    invitedBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'Invitation' });

const inviteAnswer = z.object({
  invitation: invitationView,
  emailed: z.boolean(),
  link: z.string().optional().describe('The link to pass on when no mail server is configured.'),
});

const auditEntryView = z
  .object({
    id: z.string(),
    at: z.string(),
    accountId: z.string().nullable(),
    actor: z.object({
      type: z.string(),
      id: z.string().nullable(),
      label: z.string(),
      source: z.string(),
    }),
    action: z.string(),
    objectType: z.string(),
    objectId: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });

const tokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scope: z.object({ accountId: z.string(), role: z.enum(ROLES) }).nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

const withLabel = <T extends { role: (typeof ROLES)[number] }>(a: T) => ({
  ...a,
  roleLabel: ROLE_LABELS[a.role],
});

/** Roles, invitations, API tokens, the audit log and a partner's brand. */
export function accessRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['access'];
    const { administrators, invitations, access, audit, accounts } = services;

    app.get(
      '/accounts/:accountId/access',
      {
        schema: {
          tags,
          summary: 'What the caller may do on this account (roles held here or above, and permissions)',
          params: accountParams,
          response: {
            200: z.object({
              platformOperator: z.boolean(),
              roles: z.array(z.object({ accountId: z.string(), role: z.enum(ROLES), roleLabel: z.string() })),
              permissions: z.array(z.enum(PERMISSIONS)),
              suspension: z
                .object({ accountId: z.string(), accountName: z.string(), message: z.string() })
                .nullable()
                .describe(
                  'Set while the account (or a partner above it) is suspended: the portal shows the message.',
                ),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const { accountId } = req.params;
        const { operator, roles, permissions, suspension } = await access.describe(req.actor, accountId);
        return {
          platformOperator: operator,
          roles: roles.map(withLabel),
          permissions,
          suspension: suspension && {
            accountId: suspension.accountId,
            accountName: suspension.accountName,
            message: suspensionNotice(accountId, suspension),
          },
        };
      },
    );

    app.get(
      '/accounts/:accountId/roles',
      {
        schema: {
          tags,
          summary: 'Administrators holding roles on this account, and the roles the caller may grant',
          params: accountParams,
          response: {
            200: z.object({ items: z.array(assignmentView), grantable: z.array(z.enum(ROLES)) }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const { assignments, grantable } = await administrators.listRoles(req.actor, req.params.accountId);
        return { items: assignments.map(withLabel), grantable };
      },
    );
    app.post(
      '/accounts/:accountId/roles',
      {
        schema: {
          tags,
          summary:
            'Grant a role by email: an invitation the person accepts (signing in with their password if they have one); the same answer whether or not the email has an administrator',
          params: accountParams,
          body: inviteInput,
          response: { 202: inviteAnswer, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply.status(202).send(await invitations.invite(req.actor, req.params.accountId, req.body)),
    );
    app.delete(
      '/accounts/:accountId/roles/:administratorId/:role',
      {
        schema: {
          tags,
          summary: 'Revoke a role',
          params: accountParams.extend({ administratorId: z.uuid(), role: roleInput }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await administrators.revokeRole(
          req.actor,
          req.params.accountId,
          req.params.administratorId,
          req.params.role,
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/accounts/:accountId/invitations',
      {
        schema: {
          tags,
          summary: 'Invitations to this account',
          params: accountParams,
          response: { 200: z.object({ items: z.array(invitationView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await invitations.listInvitations(req.actor, req.params.accountId) }),
    );
    app.post(
      '/accounts/:accountId/invitations',
      {
        schema: {
          tags,
          summary:
            'Invite someone by email to a role; mailed when SMTP is configured, else the link is returned to pass on',
          params: accountParams,
          body: inviteInput,
          response: { 201: inviteAnswer, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await invitations.invite(req.actor, req.params.accountId, req.body)),
    );
    app.delete(
      '/accounts/:accountId/invitations/:invitationId',
      {
        schema: {
          tags,
          summary: 'Revoke an invitation that was not accepted yet',
          params: accountParams.extend({ invitationId: z.uuid() }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await invitations.revokeInvitation(req.actor, req.params.accountId, req.params.invitationId);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/accounts/:accountId/audit',
      {
        schema: {
          tags,
          summary: 'The audit log: every change with who, when, source, object and before/after (no secrets)',
          params: accountParams,
          querystring: auditQuery,
          response: {
            200: z.object({ items: z.array(auditEntryView), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const items = await audit.list(req.actor, req.params.accountId, req.query);
        const last = items.at(-1);
        return { items, nextCursor: items.length === req.query.limit && last ? last.id : null };
      },
    );
    app.get(
      '/accounts/:accountId/audit/export',
      {
        schema: {
          tags,
          summary: 'Export the audit log as CSV or JSON lines',
          params: accountParams,
          querystring: auditQuery.omit({ limit: true, before: true }).extend({
            format: z.enum(['csv', 'jsonl']).default('csv'),
          }),
          response: { 200: z.string(), ...errorResponses },
        },
      },
      async (req, reply) => {
        const { format, ...query } = req.query;
        const body = await audit.export(req.actor, req.params.accountId, query, format);
        return reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
          .header('content-disposition', `attachment; filename="audit-${req.params.accountId}.${format}"`)
          .send(body);
      },
    );

    app.get(
      '/accounts/:accountId/brand',
      {
        schema: {
          tags,
          summary: "A partner's brand: portal name, colour, support contact",
          params: accountParams,
          response: { 200: brandInput, ...errorResponses },
        },
      },
      async (req) => accounts.getBrand(req.actor, req.params.accountId),
    );
    app.put(
      '/accounts/:accountId/brand',
      {
        schema: {
          tags,
          summary: "Set a partner's brand",
          params: accountParams,
          body: brandInput,
          response: { 200: brandInput, ...errorResponses },
        },
      },
      async (req) => accounts.setBrand(req.actor, req.params.accountId, req.body),
    );

    app.get(
      '/tokens',
      {
        schema: {
          tags,
          summary: "The caller's API tokens (never the token itself)",
          response: { 200: z.object({ items: z.array(tokenView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await administrators.listTokens(req.actor) }),
    );
    app.post(
      '/tokens',
      {
        schema: {
          tags,
          summary: 'Create an API token for yourself, optionally limited to one account and role; shown once',
          body: z.object({
            name: z.string().trim().min(1).max(100),
            expiresInDays: z.number().int().min(1).max(730).optional(),
            scope: z.object({ accountId: z.uuid(), role: roleInput }).optional(),
          }),
          response: { 201: z.object({ id: z.string(), token: z.string() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const expiresAt = req.body.expiresInDays
          ? new Date(Date.now() + req.body.expiresInDays * 86_400_000)
          : null;
        return reply
          .status(201)
          .send(
            await administrators.createToken(
              req.actor,
              req.actor.label,
              req.body.name,
              expiresAt,
              req.body.scope ?? null,
            ),
          );
      },
    );
    app.delete(
      '/tokens/:tokenId',
      {
        schema: {
          tags,
          summary: 'Revoke one of your API tokens',
          params: z.object({ tokenId: z.uuid() }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        if (!(await administrators.revokeOwnToken(req.actor, req.params.tokenId)))
          throw new AppError('not_found', `Token ${req.params.tokenId} was not found.`);
        return reply.status(204).send(null);
      },
    );
  };
}
