import { Command } from 'commander';
import {
  addNumberRangeInput,
  addServiceNumberInput,
  nextFreeQuery,
} from '../../services/schemas/numbers.schema.js';
import { cliActor, printRows, withContext } from '../cli-context.js';

interface AccountOption {
  account: string;
  json?: boolean;
}
interface ServiceOption extends AccountOption {
  service: string;
}

const rangeColumns = ['id', 'start', 'end', 'size', 'used', 'reserved', 'free'];
const serviceNumberColumns = ['id', 'number', 'label'];

/** `callbridge numbers ranges|next-free|service-numbers|shared`: numbers of trunk services. */
export function numbersCommand(): Command {
  const numbers = new Command('numbers').description(
    'Numbers of trunk services: ranges, next free number, service numbers (shared caller IDs), shared-number report',
  );
  numbers.addCommand(rangesCommand());
  numbers
    .command('next-free')
    .description("The lowest free numbers of a range, or across a trunk service's ranges")
    .requiredOption('--account <id>', 'the account')
    .option('--service <id>', "across this trunk service's ranges")
    .option('--range <id>', 'in this range only')
    .option('--count <n>', 'how many (1-100)', '1')
    .option('--json', 'print JSON')
    .action(
      async (
        options: AccountOption & { service?: string; range?: string; count: string },
        command: Command,
      ) => {
        if ((options.service === undefined) === (options.range === undefined))
          command.error('error: give either --service or --range', { exitCode: 1 });
        const { count } = nextFreeQuery.parse({ count: options.count });
        await withContext(command, async (ctx) => {
          const free =
            options.range !== undefined
              ? await ctx.services.numberRanges.nextFreeInRange(
                  cliActor(),
                  options.account,
                  options.range,
                  count,
                )
              : await ctx.services.numberRanges.nextFreeForService(
                  cliActor(),
                  options.account,
                  options.service ?? '',
                  count,
                );
          printRows(free.numbers, ['number', 'rangeId'], options.json === true);
        });
      },
    );
  numbers.addCommand(serviceNumbersCommand());
  numbers
    .command('shared')
    .description("Numbers held by users of more than one of a partner's customer accounts, with the holders")
    .requiredOption('--account <id>', 'the partner account')
    .option('--json', 'print JSON')
    .action(async (options: AccountOption, command: Command) => {
      await withContext(command, async (ctx) => {
        const report = await ctx.services.sharedNumbers.report(cliActor(), options.account);
        if (options.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
          return;
        }
        const rows = report.items.flatMap((item) =>
          item.holders.map((holder) => ({ number: item.number, accounts: item.accountCount, ...holder })),
        );
        printRows(rows, ['number', 'accounts', 'accountName', 'email', 'lineUri'], false);
        const count = report.items.length;
        process.stdout.write(`${count} number${count === 1 ? '' : 's'} held by more than one customer\n`);
      });
    });
  return numbers;
}

function rangesCommand(): Command {
  const ranges = new Command('ranges').description("A trunk service's number ranges");
  ranges
    .command('list', { isDefault: true })
    .description('List the ranges with used, reserved (service numbers) and free counts')
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--service <id>', 'the trunk service')
    .option('--json', 'print JSON')
    .action(async (options: ServiceOption, command: Command) => {
      await withContext(command, async (ctx) => {
        const items = await ctx.services.numberRanges.list(cliActor(), options.account, options.service);
        printRows(items, rangeColumns, options.json === true);
      });
    });
  ranges
    .command('add')
    .description(
      'Add a range (a single number without --end); ranges are never edited, only deleted and re-added',
    )
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--service <id>', 'the trunk service')
    .requiredOption('--start <e164>', 'first number, e.g. +441235123400')
    .option('--end <e164>', 'last number, e.g. +441235123499')
    .option('--json', 'print JSON')
    .action(async (options: ServiceOption & { start: string; end?: string }, command: Command) => {
      const input = addNumberRangeInput.parse({ start: options.start, end: options.end });
      await withContext(command, async (ctx) => {
        const range = await ctx.services.numberRanges.add(
          cliActor(),
          options.account,
          options.service,
          input,
        );
        printRows([range], rangeColumns, options.json === true);
        for (const warning of options.json ? [] : range.warnings)
          process.stdout.write(`warning: ${warning}\n`);
      });
    });
  ranges
    .command('delete <rangeId>')
    .description('Delete a range (refused while a user holds one of its numbers)')
    .requiredOption('--account <id>', 'the account')
    .action(async (rangeId: string, options: AccountOption, command: Command) => {
      await withContext(command, async (ctx) => {
        await ctx.services.numberRanges.delete(cliActor(), options.account, rangeId);
        process.stdout.write(`Deleted range ${rangeId}\n`);
      });
    });
  return ranges;
}

function serviceNumbersCommand(): Command {
  const serviceNumbers = new Command('service-numbers').description(
    "A trunk service's service numbers (shared outbound caller IDs)",
  );
  serviceNumbers
    .command('list', { isDefault: true })
    .description('List the service numbers')
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--service <id>', 'the trunk service')
    .option('--json', 'print JSON')
    .action(async (options: ServiceOption, command: Command) => {
      await withContext(command, async (ctx) => {
        const items = await ctx.services.serviceNumbers.list(cliActor(), options.account, options.service);
        printRows(
          items.map((item) => ({ ...item })),
          serviceNumberColumns,
          options.json === true,
        );
      });
    });
  serviceNumbers
    .command('add')
    .description('Add a service number with a label')
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--service <id>', 'the trunk service')
    .requiredOption('--number <e164>', 'the number, e.g. +441235123400')
    .requiredOption('--label <text>', 'what it is, e.g. "Main number"')
    .option('--json', 'print JSON')
    .action(async (options: ServiceOption & { number: string; label: string }, command: Command) => {
      const input = addServiceNumberInput.parse({ number: options.number, label: options.label });
      await withContext(command, async (ctx) => {
        const created = await ctx.services.serviceNumbers.add(
          cliActor(),
          options.account,
          options.service,
          input,
        );
        printRows([{ ...created }], serviceNumberColumns, options.json === true);
      });
    });
  serviceNumbers
    .command('delete <serviceNumberId>')
    .description('Delete a service number (refused while users show it as caller ID)')
    .requiredOption('--account <id>', 'the account')
    .action(async (serviceNumberId: string, options: AccountOption, command: Command) => {
      await withContext(command, async (ctx) => {
        await ctx.services.serviceNumbers.delete(cliActor(), options.account, serviceNumberId);
        process.stdout.write(`Deleted service number ${serviceNumberId}\n`);
      });
    });
  return serviceNumbers;
}
