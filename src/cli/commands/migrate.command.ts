import { Command } from 'commander';
import { migrateToLatest, openDatabase } from '../../store/database.js';
import { databaseUrlOf } from '../../config/config.js';
import { configFrom } from '../cli-context.js';

/** `callbridge migrate`: brings the database schema to the latest version and says what it did. */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Bring the database schema up to date')
    .action(async (_options: unknown, command: Command) => {
      const config = configFrom(command);
      const handle = openDatabase(databaseUrlOf(config));
      try {
        const applied = await migrateToLatest(handle.db);
        process.stdout.write(
          applied.length === 0 ? 'The database is up to date.\n' : `Applied: ${applied.join(', ')}\n`,
        );
      } finally {
        await handle.close();
      }
    });
}
