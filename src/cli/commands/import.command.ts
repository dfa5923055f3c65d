import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { cliActor, withContext } from '../cli-context.js';
import { importHistoryCommand, importRollbackCommand } from './rollback.command.js';

/** `callbridge import FILE --account A --service S [--dry-run]` and `callbridge export --account A --service S`. */
export function importCommands(): Command[] {
  const importUsers = new Command('import')
    .description(
      'Import users from a CSV as Excel saves it; prints a per-row report. All rows apply, or none.',
    )
    .argument('<file>', 'the CSV file')
    // Not "required" options: commander would then demand them of `import rollback` and `import history` too.
    .option('--account <id>', 'the account (required)')
    .option('--service <id>', 'the service (required)')
    .option('--dry-run', 'report only, change nothing')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        file: string,
        options: { account?: string; service?: string; dryRun?: boolean; json?: boolean },
        command: Command,
      ) => {
        const { account, service } = options;
        if (!account || !service)
          return command.error("error: required options '--account <id>' and '--service <id>' not specified");
        const bytes = await readFile(file);
        await withContext(command, async (ctx) => {
          const result = await ctx.services.userImport.import(cliActor(), account, service, bytes, {
            dryRun: options.dryRun === true,
          });
          if (options.json) {
            process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          } else {
            for (const i of result.plan.issues)
              process.stdout.write(
                `row ${i.row}${i.column ? ` ${i.column}` : ''}: ${i.severity}: ${i.message}${i.fix ? ` (fix: ${i.fix})` : ''}\n`,
              );
            const c = result.plan.counts;
            process.stdout.write(
              `${result.applied ? 'Applied' : result.plan.ok ? 'Dry run, nothing changed' : 'Not applied: fix the errors above'}: create ${c['create'] ?? 0}, update ${c['update'] ?? 0}, unchanged ${c['unchanged'] ?? 0}, errors ${c['error'] ?? 0}\n`,
            );
            if (result.importId)
              process.stdout.write(
                `Import ${result.importId} (undo with: callbridge import rollback ${result.importId})\n`,
              );
          }
          if (!result.plan.ok) process.exitCode = 1;
        });
      },
    );
  const exportUsers = new Command('export')
    .description("Export a service's users as CSV in its template (passwords are never exported)")
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--service <id>', 'the service')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--semicolon', 'separate with ; (Excel in comma-decimal locales)')
    .action(
      async (
        options: { account: string; service: string; out?: string; semicolon?: boolean },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const csv = await ctx.services.userImport.export(cliActor(), options.account, options.service, {
            delimiter: options.semicolon ? ';' : ',',
          });
          if (options.out) await writeFile(options.out, csv);
          else process.stdout.write(csv);
        });
      },
    );
  // `import rollback ID` and `import history` are subcommands; `import FILE` stays the command's own action.
  importUsers.addCommand(importRollbackCommand());
  importUsers.addCommand(importHistoryCommand());
  return [importUsers, exportUsers];
}
