import { Command } from 'commander';
import { SKU_LABELS } from '../../domain/licences.js';
import { cliActor, printRows, withContext } from '../cli-context.js';

/** `callbridge licences --account ID`: held, used and free per SKU, trial ends and warnings. */
export function licencesCommand(): Command {
  return new Command('licences')
    .description('Show the licence summary of an account: held, used (configured users), free, trial end')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) => {
        const lines = await ctx.services.licences.summary(cliActor(), options.account);
        printRows(
          lines.map((l) => ({ ...l, licence: options.json ? l.sku : SKU_LABELS[l.sku] })),
          ['licence', 'held', 'used', 'free', 'trialEndsAt', 'state'],
          options.json === true,
        );
        if (!options.json) for (const l of lines) if (l.warning) process.stdout.write(`! ${l.warning}\n`);
      });
    });
}

/** `callbridge phone-app ...`: the Phone App add-on of a PBX service. */
export function phoneAppCommand(): Command {
  const phoneApp = new Command('phone-app').description('The Phone App add-on of a PBX service');
  const target = (c: Command) =>
    c.requiredOption('--account <id>', 'account id').requiredOption('--service <id>', 'PBX service id');
  target(phoneApp.command('status').description('Where the Phone App stands and the next step'))
    .option('--json', 'print JSON')
    .action(async (options: { account: string; service: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) => {
        const status = await ctx.services.phoneApp.status(cliActor(), options.account, options.service);
        process.stdout.write(
          options.json
            ? JSON.stringify(status, null, 2) + '\n'
            : `Phone App: ${status.enabled ? 'enabled' : 'off'}, consent ${status.consent}, ${status.phoneAppUsers} Phone App users.\nNext: ${status.message}\n`,
        );
      });
    });
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    target(
      phoneApp.command(verb).description(`${verb === 'enable' ? 'Enable' : 'Disable'} the Phone App`),
    ).action(async (options: { account: string; service: string }, command: Command) => {
      await withContext(command, async (ctx) => {
        const status = await ctx.services.phoneApp.updateSettings(
          cliActor(),
          options.account,
          options.service,
          {
            phoneAppEnabled: enabled,
          },
        );
        process.stdout.write(`Phone App ${enabled ? 'enabled' : 'disabled'}. Next: ${status.message}\n`);
      });
    });
  }
  target(phoneApp.command('checks').description('Run the Teams Only, external access and licence checks'))
    .option('--json', 'print JSON')
    .action(async (options: { account: string; service: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) => {
        const { findings, checkedUsers } = await ctx.services.phoneApp.checks(
          cliActor(),
          options.account,
          options.service,
        );
        if (options.json) {
          process.stdout.write(JSON.stringify({ findings, checkedUsers }, null, 2) + '\n');
          return;
        }
        process.stdout.write(`${checkedUsers} users checked, ${findings.length} finding(s).\n`);
        for (const f of findings) {
          process.stdout.write(`\n[${f.check}] ${f.message}\n`);
          f.fix.forEach((step, i) => process.stdout.write(`  ${i + 1}. ${step}\n`));
        }
      });
    });
  return phoneApp;
}
