/**
 * The `plaza` command line. Each command loads the configuration once and
 * builds what it needs through the composition root.
 */
import { Command, CommanderError } from 'commander';
import { isPlazaError } from '../platform/errors.ts';
import { startCommand } from './commands/start.ts';
import { tableCreateCommand } from './commands/table-create.ts';
import { seedCommand } from './commands/seed.ts';

const program = new Command()
  .name('plaza')
  .description('Plaza: a social-media backend in the shape of its AWS design, on one machine or at scale.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description('Run the server (HTTP, GraphQL, Cognito API, media).')
  .action(startCommand);

program
  .command('seed')
  .description('Fill the store with demo data: users, follows, posts with photos, likes and comments.')
  .option('--users <n>', 'how many users', '100')
  .option('--follows <n>', 'how many users each user follows', '20')
  .option('--posts <n>', 'posts per user', '5')
  .option('--photos <n>', 'how many posts carry a photo (through the image pipeline)', '20')
  .option('--accounts <n>', 'how many of the users can sign in', '3')
  .option('--password <password>', 'their password', 'plaza-demo-1')
  .option('--seed <n>', 'random seed, for the same data each time', '1')
  .action(seedCommand);

program
  .command('table')
  .description('Manage the tables.')
  .command('create')
  .description('Create the tables and their global secondary indexes (idempotent).')
  .action(tableCreateCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (isPlazaError(error)) {
    console.error(`plaza: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
}
