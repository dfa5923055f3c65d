import { Command } from 'commander';
import { cliActor, withContext } from '../cli-context.js';

/**
 * `callbridge admin password --email E [--password P]`: an operator's reset of an administrator's password (a
 * forgotten one, a leaked one). Without --password a random one is printed. Either way the administrator must
 * choose a new password at the next sign-in, and their open portal sessions end.
 */
export function adminPasswordCommand(): Command {
  return new Command('password')
    .description(
      "Reset an administrator's password (printed when not given); it must be changed at the next sign-in",
    )
    .requiredOption('--email <email>', 'the administrator')
    .option('--password <password>', 'the new password (at least 12 characters); default: a random one')
    .action(async (options: { email: string; password?: string }, command: Command) => {
      await withContext(command, async (ctx) => {
        const { password } = await ctx.services.passwords.reset(cliActor(), options.email, options.password);
        process.stdout.write(
          options.password === undefined
            ? `Password of ${options.email} reset.\npassword: ${password}\nPass it on; it must be changed at the next sign-in.\n`
            : `Password of ${options.email} set; it must be changed at the next sign-in.\n`,
        );
      });
    });
}
