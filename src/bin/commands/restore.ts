import { loadConfig } from '../../platform/config.ts';
import { withBackups } from '../../app/backups.ts';
import { describeRestore } from './backup.ts';

/** Point-in-time restore: the newest backup before the time, brought forward with the change log. */
export async function restoreToTimeCommand(options: { toTime: number; into: string }): Promise<void> {
  const config = loadConfig();
  const result = await withBackups(config, (backups) =>
    backups.restoreToTime(options.toTime, options.into, config.db.changeRetentionMs),
  );
  console.log(`Data as of ${new Date(options.toTime).toISOString()}:`);
  console.log(describeRestore(result));
}
