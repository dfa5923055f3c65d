import { Command } from 'commander';
import { cliActor, withContext } from '../cli-context.js';

/** `callbridge admin create` and `callbridge token create`: bootstrap access for people and scripts. */
export function adminCommand(): Command {
  const admin = new Command('admin').description('Administrators');
  admin
    .command('create')
    .description('Create an administrator who can sign in with email and password')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--password <password>', 'at least 12 characters')
    .option('--name <name>', 'display name')
    .action(async (options: { email: string; password: string; name?: string }, command: Command) => {
      await withContext(command, async (ctx) => {
        const created = await ctx.services.administrators.create(cliActor(), {
          email: options.email,
          password: options.password,
          ...(options.name && { displayName: options.name }),
        });
        process.stdout.write(`Administrator ${created.email} created (${created.id}).\n`);
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
    .action(async (options: { email?: string; name: string; expiresInDays?: string }, command: Command) => {
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
        );
        process.stdout.write(created.token + '\n');
      });
    });
  return token;
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
