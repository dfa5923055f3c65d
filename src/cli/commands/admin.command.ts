import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { ROLE_LABELS, ROLES, type Role } from '../../domain/access.js';
import { rotateKey } from '../../services/secrets/key-rotation.js';
import { adminPasswordCommand } from './admin-password.command.js';
import { cliActor, configFrom, printRows, withContext } from '../cli-context.js';

const roleHelp = `one of ${ROLES.join(', ')}`;

function roleOf(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new Error(`--role must be ${roleHelp}`);
  return value as Role;
}

/** `callbridge admin ...`: administrators, their roles per account, invitations, lockouts. */
export function adminCommand(): Command {
  const admin = new Command('admin').description('Administrators, roles and invitations');
  admin
    .command('create')
    .description('Create an administrator who can sign in with email and password')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--password <password>', 'at least 12 characters; to be changed at the first sign-in')
    .option('--name <name>', 'display name')
    .option('--operator', 'a platform operator: sees every account, creates partners and administrators')
    .option('--account <id>', 'grant a role on this account')
    .option('--role <role>', `the role on --account (${roleHelp})`, 'account_owner')
    .action(
      async (
        options: {
          email: string;
          password: string;
          name?: string;
          operator?: boolean;
          account?: string;
          role: string;
        },
        command: Command,
      ) => {
        const role = roleOf(options.role);
        await withContext(command, async (ctx) => {
          const created = await ctx.services.administrators.create(cliActor(), {
            email: options.email,
            password: options.password,
            platformOperator: options.operator === true,
            ...(options.name && { displayName: options.name }),
          });
          if (options.account)
            await ctx.services.administrators.grantRole(cliActor(), options.account, created.email, role);
          process.stdout.write(
            `Administrator ${created.email} created (${created.id})${options.account ? ` as ${ROLE_LABELS[role]} of ${options.account}` : ''}.\n`,
          );
        });
      },
    );
  admin
    .command('roles')
    .description('List who holds which role on an account')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) => {
        const { assignments } = await ctx.services.administrators.listRoles(cliActor(), options.account);
        printRows(
          assignments.map((a) => ({ ...a, role: ROLE_LABELS[a.role] })),
          ['email', 'role', 'administratorId', 'createdAt'],
          options.json === true,
        );
      });
    });
  for (const verb of ['grant', 'revoke'] as const) {
    admin
      .command(verb)
      .description(verb === 'grant' ? 'Grant a role on an account' : 'Revoke a role on an account')
      .requiredOption('--email <email>', 'the administrator')
      .requiredOption('--account <id>', 'account id')
      .requiredOption('--role <role>', roleHelp)
      .action(async (options: { email: string; account: string; role: string }, command: Command) => {
        const role = roleOf(options.role);
        await withContext(command, async (ctx) => {
          if (verb === 'grant') {
            await ctx.services.administrators.grantRole(cliActor(), options.account, options.email, role);
          } else {
            const found = await ctx.store.repos.administrators.findByEmail(options.email);
            if (!found) throw new Error(`No administrator has the email ${options.email}.`);
            await ctx.services.administrators.revokeRole(cliActor(), options.account, found.id, role);
          }
          process.stdout.write(
            `${ROLE_LABELS[role]} ${verb === 'grant' ? 'granted to' : 'revoked from'} ${options.email}.\n`,
          );
        });
      });
  }
  admin
    .command('invite')
    .description(
      'Invite someone by email to a role on an account (prints the link when no SMTP server is set)',
    )
    .requiredOption('--email <email>', 'who to invite')
    .requiredOption('--account <id>', 'account id')
    .option('--role <role>', roleHelp, 'account_owner')
    .action(async (options: { email: string; account: string; role: string }, command: Command) => {
      const role = roleOf(options.role);
      await withContext(command, async (ctx) => {
        const result = await ctx.services.invitations.invite(cliActor(), options.account, {
          email: options.email,
          role,
        });
        process.stdout.write(
          result.emailed
            ? `Invitation mailed to ${result.invitation.email}.\n`
            : `No mail server is configured (CALLBRIDGE_SMTP_URL); send this link to ${result.invitation.email}:\n${result.link}\n`,
        );
      });
    });
  admin.addCommand(adminPasswordCommand());
  admin
    .command('unlock')
    .description('Unlock an administrator locked after repeated failed sign-ins')
    .requiredOption('--email <email>', 'the administrator')
    .action(async (options: { email: string }, command: Command) => {
      await withContext(command, async (ctx) => {
        const found = await ctx.store.repos.administrators.findByEmail(options.email);
        if (!found) throw new Error(`No administrator has the email ${options.email}.`);
        await ctx.store.repos.administrators.clearFailedSignIns(found.id);
        process.stdout.write(`${found.email} can sign in again.\n`);
      });
    });
  return admin;
}

export function tokenCommand(): Command {
  const token = new Command('token').description('API tokens');
  token
    .command('create')
    .description('Create an API token and print it (it is shown once; only its hash is kept)')
    .option('--email <email>', 'the administrator the token acts as (default: the only administrator)')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <days>', 'expire the token after this many days')
    .option('--account <id>', 'limit the token to this account (and those beneath it)')
    .option('--role <role>', `with --account: the one role the token acts with (${roleHelp})`)
    .action(
      async (
        options: { email?: string; name: string; expiresInDays?: string; account?: string; role?: string },
        command: Command,
      ) => {
        if ((options.account === undefined) !== (options.role === undefined))
          throw new Error('--account and --role go together: a token is scoped to one role on one account.');
        const scope =
          options.account && options.role ? { accountId: options.account, role: roleOf(options.role) } : null;
        await withContext(command, async (ctx) => {
          const email = options.email ?? (await soleAdministratorEmail(ctx.store.repos.administrators));
          const days = options.expiresInDays === undefined ? null : Number(options.expiresInDays);
          if (days !== null && !(Number.isInteger(days) && days > 0))
            throw new Error('--expires-in-days must be a whole number of days above 0');
          const expiresAt = days === null ? null : new Date(Date.now() + days * 86_400_000);
          const created = await ctx.services.administrators.createToken(
            cliActor(),
            email,
            options.name,
            expiresAt,
            scope,
          );
          process.stdout.write(created.token + '\n');
        });
      },
    );
  return token;
}

/** `callbridge audit --account ID`: read or export the audit log. */
export function auditCommand(): Command {
  return new Command('audit')
    .description('Show or export the audit log of an account')
    .requiredOption('--account <id>', 'account id')
    .option('--object-type <type>', 'e.g. user, service, subscription')
    .option('--object-id <id>', 'one object')
    .option('--since <iso>', 'entries at or after this time')
    .option('--limit <n>', 'entries to show', '50')
    .option('--export <format>', 'print every matching entry as csv or jsonl')
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          account: string;
          objectType?: string;
          objectId?: string;
          since?: string;
          limit: string;
          export?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const filter = {
          ...(options.objectType && { objectType: options.objectType }),
          ...(options.objectId && { objectId: options.objectId }),
          ...(options.since && { since: options.since }),
        };
        await withContext(command, async (ctx) => {
          if (options.export) {
            if (options.export !== 'csv' && options.export !== 'jsonl')
              throw new Error('--export must be csv or jsonl');
            process.stdout.write(
              await ctx.services.audit.export(cliActor(), options.account, filter, options.export),
            );
            return;
          }
          const entries = await ctx.services.audit.list(cliActor(), options.account, {
            ...filter,
            limit: Number(options.limit),
          });
          printRows(
            entries.map((e) => ({
              at: e.at,
              who: e.actor.label,
              source: e.actor.source,
              action: e.action,
              object: `${e.objectType}/${e.objectId}`,
            })),
            ['at', 'who', 'source', 'action', 'object'],
            options.json === true,
          );
        });
      },
    );
}

/** `callbridge secrets rotate-key`: re-encrypt every stored secret with a new key. */
export function secretsCommand(): Command {
  const secrets = new Command('secrets').description('Secrets at rest');
  secrets
    .command('rotate-key')
    .description(
      'Re-encrypt every SIP password and Microsoft app secret with a new key (one transaction), then switch key files',
    )
    .option('--new-key-file <file>', 'with a key from configuration: where to write the new key (0600)')
    .action(async (options: { newKeyFile?: string }, command: Command) => {
      const config = configFrom(command);
      if (config.secretKey && !options.newKeyFile)
        throw new Error(
          'The key comes from configuration (CALLBRIDGE_SECRET_KEY): give --new-key-file to receive the new key, then set it in the configuration.',
        );
      await withContext(command, async (ctx) => {
        const result = await rotateKey(ctx.store, cliActor(), {
          dataDir: config.dataDir,
          configuredKey: config.secretKey,
        });
        if (result.newKeyBase64 && options.newKeyFile) {
          writeFileSync(options.newKeyFile, result.newKeyBase64 + '\n', { mode: 0o600 });
          process.stdout.write(
            `Re-encrypted ${result.reencrypted} secrets with key ${result.newKeyId}. Set CALLBRIDGE_SECRET_KEY to the key in ${options.newKeyFile} now and restart.\n`,
          );
          return;
        }
        process.stdout.write(
          `Re-encrypted ${result.reencrypted} secrets: key ${result.oldKeyId} -> ${result.newKeyId}. The old key is kept as secret.key.retired-${result.oldKeyId} for old backups.\n`,
        );
      });
    });
  return secrets;
}

async function soleAdministratorEmail(repo: {
  count(): Promise<number>;
  firstEmail(): Promise<string | undefined>;
}): Promise<string> {
  if ((await repo.count()) !== 1)
    throw new Error('There is not exactly one administrator: name one with --email.');
  const email = await repo.firstEmail();
  if (!email) throw new Error('No administrator exists: create one with `callbridge admin create`.');
  return email;
}
