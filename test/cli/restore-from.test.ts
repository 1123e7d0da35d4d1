/** `plaza restore --from`: bad input ends with exit code 2 and a message that says what is wrong. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { SqliteChangeLogSource } from '../../src/adapters/sqlite/sqlite-change-log-copy.ts';
import { openSqlite } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import {
  ContinuousBackup,
  defaultContinuousBackupSettings,
} from '../../src/domain/operations/backup-copy/continuous-backup.ts';
import { segmentName } from '../../src/domain/operations/backup-copy/copy-format.ts';
import { CopyStore } from '../../src/domain/operations/backup-copy/copy-store.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable, usersTable } from '../../src/ports/item-store/table.ts';
import { plaza } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'plaza-restore-from-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { DATA_DIR: join(root, 'live') };

describe('plaza restore --from', () => {
  it.each([
    [
      ['--from', join(root, 'nothing-here'), '--into', join(root, 'a')],
      /No continuous backup at .*nothing-here/,
    ],
    [['--from', 'ftp://host/copy', '--into', join(root, 'b')], /only directories and s3:\/\/ URLs/],
    [['--from', 's3://Bad_Bucket/x', '--into', join(root, 'c')], /"bad_bucket" is not an S3 bucket name/i],
    [['--from', 's3://plaza-copy/x?colour=blue', '--into', join(root, 'd')], /unknown parameters colour/],
    [['--allow-partial', '--into', join(root, 'e')], /--allow-partial goes with --from/],
    [['--into', join(root, 'f')], /needs --to-time <time> .* or --from <copy>/],
    [
      ['--from', join(root, 'x'), '--to-time', '2999-01-01T00:00:00Z', '--into', join(root, 'g')],
      /2999-01-01T00:00:00.000Z is in the future/,
    ],
  ])('refuses %j', async (args, message) => {
    const result = await plaza(['restore', ...args], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a target directory that is not empty, and a bad PLAZA_CONTINUOUS_BACKUP', async () => {
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'x');
    const notEmpty = await plaza(['restore', '--from', join(root, 'copy'), '--into', full], env);
    expect(notEmpty.stderr).toMatch(/is not empty: restore into a new, empty directory/);
    const badTarget = await plaza(['restore', '--from', join(root, 'copy'), '--into', join(root, 'h')], {
      ...env,
      PLAZA_CONTINUOUS_BACKUP: 's3://',
    });
    expect(badTarget.stderr).toMatch(/PLAZA_CONTINUOUS_BACKUP \(backup.continuousTo\)/);
    expect(badTarget.code).not.toBe(0);
  });

  it('names a corrupt segment and stops; with --allow-partial restores up to the last good point', async () => {
    const dataDir = join(root, 'site');
    const copyDir = join(root, 'site-copy');
    const db = openSqlite({ path: join(dataDir, 'plaza.sqlite') });
    const tables = [mainTable('plaza'), usersTable('plaza-users')];
    const [store] = tables.map(
      (table) =>
        new SqliteItemStore({
          db,
          table,
          clock: systemClock,
          meter: noMeter,
          region: 'us-west-1',
          sweepIntervalMs: 0,
        }),
    ) as [SqliteItemStore];
    const backup = new ContinuousBackup({
      source: new SqliteChangeLogSource(join(dataDir, 'plaza.sqlite'), tables, systemClock.now),
      copy: new CopyStore(new FsObjectStore({ root: copyDir, durable: false }), ''),
      media: undefined,
      dataDir,
      databaseName: 'plaza.sqlite',
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
      lag: createMetrics({ defaultMetrics: false }).backupLag,
      settings: defaultContinuousBackupSettings,
    });
    await backup.shipOnce();
    for (let segment = 1; segment <= 3; segment++) {
      await store.put({ item: { PK: `USER#${segment}`, SK: 'PROFILE', segment } });
      await backup.shipOnce();
    }
    const generation = backup.status().generation as string;
    await backup.stop();
    db.close();
    const second = segmentName(generation, 2);
    writeFileSync(join(copyDir, 'objects', ...second.split('/')), 'not gzip');

    const stopped = await plaza(['restore', '--from', copyDir, '--into', join(root, 'i')], env);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain(`segment ${second} it could not be read (Object file is damaged`);
    expect(stopped.stderr).toMatch(/--allow-partial restores up to the last good point/);
    const partial = await plaza(
      ['restore', '--from', copyDir, '--allow-partial', '--into', join(root, 'j')],
      env,
    );
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain(`stopped      at ${second}: it could not be read`);
    expect(partial.stdout).toMatch(/1 records from 1 segments/);
  });

  it('documents --from, --to-time and --allow-partial in --help', async () => {
    const help = await plaza(['restore', '--help'], env);
    expect(help.stdout).toMatch(/--from <copy>/);
    expect(help.stdout).toMatch(/--allow-partial/);
  });
});
