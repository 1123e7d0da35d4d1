/**
 * The `plaza` command line. Each command loads the configuration once and
 * builds what it needs through the composition root.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { isPlazaError } from '../platform/errors.ts';
import { startCommand } from './commands/start.ts';
import { tableCreateCommand } from './commands/table-create.ts';
import { costCommand } from './commands/cost.ts';
import { usersExportCommand } from './commands/users-export.ts';

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
  .command('table')
  .description('Manage the tables.')
  .command('create')
  .description('Create the tables and their global secondary indexes (idempotent).')
  .action(tableCreateCommand);

function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError('expected a positive number.');
  return number;
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

program
  .command('cost')
  .description("Print the projected monthly AWS bill from what the server measured, at the design's prices.")
  .option('--mau <n>', 'project to this many monthly active users', wholeNumber)
  .option('--scale <factor>', 'multiply every measured quantity by this factor', positiveNumber)
  .option('--json', 'print the report as JSON')
  .action(costCommand);

program
  .command('users')
  .description("Manage the embedded user pool's users.")
  .command('export')
  .description('Print every user as a JSON line (no password hashes or secrets).')
  .action(usersExportCommand);

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
