/** `plaza restore --from`: bad input ends with exit code 2 and a message that says what is wrong. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

  it('documents --from, --to-time and --allow-partial in --help', async () => {
    const help = await plaza(['restore', '--help'], env);
    expect(help.stdout).toMatch(/--from <copy>/);
    expect(help.stdout).toMatch(/--allow-partial/);
  });
});
