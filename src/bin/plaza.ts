/**
 * The `plaza` command line. Each command loads the configuration once and
 * builds what it needs through the composition root.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isPlazaError } from '../platform/errors.ts';
import { maxStatsDays } from '../domain/analytics/daily-stats.ts';

/**
 * A command's action, loaded when that command runs. The commands bring the composition root and
 * its libraries: `plaza --help`, or a mistyped option, need not wait for them.
 */
function lazy<M extends Record<K, (...args: never[]) => unknown>, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
) {
  return async (...args: Parameters<M[K]>): Promise<void> => {
    await (await load())[name](...args);
  };
}

const program = new Command()
  .name('plaza')
  .description('Plaza: a social-media backend in the shape of its AWS design, on one machine or at scale.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description('Run the server (HTTP, GraphQL, Cognito API, media).')
  .action(lazy(() => import('./commands/start.ts'), 'startCommand'));

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
  .action(lazy(() => import('./commands/seed.ts'), 'seedCommand'));

program
  .command('keys')
  .description("The user pool's token signing keys.")
  .command('rotate')
  .description('Sign with a new key from now on; old keys stay in the JWKS until their tokens expire.')
  .action(lazy(() => import('./commands/keys-rotate.ts'), 'keysRotateCommand'));

program
  .command('table')
  .description('Manage the tables.')
  .command('create')
  .description('Create the tables and their global secondary indexes (idempotent).')
  .action(lazy(() => import('./commands/table-create.ts'), 'tableCreateCommand'));

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
  .action(lazy(() => import('./commands/cost.ts'), 'costCommand'));

program
  .command('migrate')
  .description('Bring data from earlier versions up to this one (the server does it on its first start).')
  .action(lazy(() => import('./commands/migrate.ts'), 'migrateCommand'));

const users = program.command('users').description("Manage the embedded user pool's users.");
users
  .command('export')
  .description(
    "Print every user in Cognito's user-import CSV (GetCSVHeader's columns), or as JSON lines with status and dates (no password hashes or secrets).",
  )
  .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
  .action(lazy(() => import('./commands/users-export.ts'), 'usersExportCommand'));
users
  .command('import')
  .description(
    "Create users from Cognito's user-import CSV (as plaza users export writes it); each must reset their password to sign in.",
  )
  .argument('<csv>', 'the CSV file')
  .action(lazy(() => import('./commands/users-import.ts'), 'usersImportCommand'));
users
  .command('migrate')
  .description(
    "After a failover: make another pool's exported users (Cognito's user-import CSV) in this pool, linked to the data they had; each resets their password to sign in.",
  )
  .argument('<csv>', 'the export, as the users-export job or plaza users export writes it')
  .option('--user-pool-id <id>', 'the pool to fill (default: COGNITO_USER_POOL_ID)')
  .option('--endpoint <url>', "the Cognito API's URL, for a Plaza server's embedded pool (default: AWS)")
  .action(lazy(() => import('./commands/users-migrate.ts'), 'usersMigrateCommand'));
users
  .command('delete')
  .description(
    'Delete an account and erase everything it holds (profile, posts, comments, likes, follows, stories, media, sessions).',
  )
  .argument('<user>', "the user's id (sub) or email")
  .action(lazy(() => import('./commands/users-delete.ts'), 'usersDeleteCommand'));

function isoTime(value: string): number {
  const time = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(time))
    throw new InvalidArgumentError('expected an ISO 8601 time with its zone, such as 2026-03-01T12:00:00Z.');
  return time;
}

const backup = program
  .command('backup')
  .description('Back up the data directory while the server runs, and restore it.');
backup
  .command('create')
  .description(
    'Take an online, consistent backup into DATA_DIR/backups/<id> (database, user pool, media manifest).',
  )
  .action(lazy(() => import('./commands/backup.ts'), 'backupCreateCommand'));
backup
  .command('list')
  .description('List the backups, oldest first.')
  .action(lazy(() => import('./commands/backup.ts'), 'backupListCommand'));
backup
  .command('restore')
  .description('Restore a backup into a new, empty data directory (never over the live one).')
  .argument('<id>', 'the backup, as plaza backup list shows it')
  .requiredOption('--into <dir>', 'the new data directory')
  .action(lazy(() => import('./commands/backup.ts'), 'backupRestoreCommand'));

program
  .command('restore')
  .description(
    'Point-in-time restore: the data as it was at a time within the change log retention (35 days); with --from, a data directory rebuilt from the continuous off-machine copy (on any machine).',
  )
  .option(
    '--to-time <time>',
    'an ISO 8601 time, such as 2026-03-01T12:00:00Z (required without --from; with it, the newest point when absent)',
    isoTime,
  )
  .option(
    '--from <copy>',
    'the continuous copy: a directory, or s3://bucket/prefix[?endpoint=URL&region=REGION]',
  )
  .option(
    '--allow-partial',
    'with --from: when a segment is missing or damaged, restore up to the last good point instead of stopping',
  )
  .requiredOption('--into <dir>', 'the new data directory')
  .action(lazy(() => import('./commands/restore.ts'), 'restoreCommand'));

const audit = program
  .command('audit')
  .description(
    'Print the audit log (sign-ins, lockouts, password and MFA changes, admin operations, deletions, actions), oldest first.',
  )
  .option('--user <id>', 'only entries about this user (their id, the sub)')
  .option('--since <time>', 'only entries at or after this ISO 8601 time', isoTime)
  .option('--json', 'print JSON lines, one entry each, with their hashes')
  .action(lazy(() => import('./commands/audit.ts'), 'auditCommand'));
audit
  .command('verify')
  .description(
    'Check the hash chain: exit code 1 and the first bad entry when one was changed, removed or reordered.',
  )
  .action(lazy(() => import('./commands/audit.ts'), 'auditVerifyCommand'));

program
  .command('stats')
  .description(
    'Print daily analytics: active users, sign-ups, posts, likes, comments, follows, and the home feed p50/p99 latency.',
  )
  .option('--days <n>', 'how many days, today last', dayCount, 7)
  .option('--json', 'print JSON')
  .action(lazy(() => import('./commands/stats.ts'), 'statsCommand'));

function dayCount(value: string): number {
  const days = wholeNumber(value);
  if (days < 1 || days > maxStatsDays)
    throw new InvalidArgumentError(`expected a number of days from 1 to ${maxStatsDays}.`);
  return days;
}

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
