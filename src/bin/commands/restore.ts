import { loadConfig, type Config } from '../../platform/config.ts';
import { withBackups } from '../../app/backups.ts';
import { restoreFromContinuousBackup } from '../../app/continuous-backup.ts';
import { parseBackupTarget } from '../../platform/backup-target.ts';
import { PlazaError } from '../../platform/errors.ts';
import { describeRestore } from './backup.ts';

interface RestoreOptions {
  toTime?: number;
  into: string;
  from?: string;
  allowPartial?: boolean;
}

/**
 * Point-in-time restore: the newest backup before the time, brought forward with the change log;
 * with --from, the continuous off-machine copy's snapshot brought forward with its segments.
 */
export async function restoreCommand(options: RestoreOptions): Promise<void> {
  const config = loadConfig();
  if (options.from !== undefined) return restoreFromCopyCommand(config, { ...options, from: options.from });
  if (options.allowPartial) throw new PlazaError('BadInput', '--allow-partial goes with --from <copy>');
  const { toTime } = options;
  if (toTime === undefined)
    throw new PlazaError(
      'BadInput',
      'plaza restore needs --to-time <time> (the local backups and change log), or --from <copy> (the continuous copy)',
    );
  const result = await withBackups(config, (backups) =>
    backups.restoreToTime(toTime, options.into, config.db.changeRetentionMs),
  );
  console.log(`Data as of ${new Date(toTime).toISOString()}:`);
  console.log(describeRestore(result));
}

async function restoreFromCopyCommand(
  config: Config,
  options: RestoreOptions & { from: string },
): Promise<void> {
  const from = parseBackupTarget(options.from, process.cwd(), config.region);
  const began = performance.now();
  const result = await restoreFromContinuousBackup(
    config,
    { from, into: options.into, toTime: options.toTime, allowPartial: options.allowPartial ?? false },
    Date.now(),
  );
  const lines = [
    `Restored from the continuous copy at ${from.url} into ${result.into} in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    `  generation   ${result.generation} (snapshot consistent as of ${result.snapshotAt})`,
    `  change log   ${result.records} records from ${result.segments} segments: data as of ${result.restoredTo}`,
  ];
  if (result.stoppedAt)
    lines.push(
      `  stopped      at ${result.stoppedAt.segment}: ${result.stoppedAt.reason} (--allow-partial: restored up to the last good point)`,
    );
  lines.push(
    `  media        ${config.storage.engine === 'fs' ? `${result.media} objects` : 'in the S3 bucket (not copied)'}`,
    '  integrity    ok',
    `Run it with: DATA_DIR=${result.into} npx plaza start`,
  );
  console.log(lines.join('\n'));
}
