import { describe, expect, it } from 'vitest';
import { parseBackupTarget } from './backup-target.ts';

describe('parseBackupTarget', () => {
  it('reads a directory (relative to the working directory) and an S3 URL with its endpoint and region', () => {
    expect(parseBackupTarget('copies/site-a', '/srv', 'us-west-1')).toEqual({
      kind: 'directory',
      path: '/srv/copies/site-a',
      url: 'copies/site-a',
    });
    expect(
      parseBackupTarget(
        's3://plaza-copy/site-a/db?endpoint=http://127.0.0.1:9000&region=eu-west-1',
        '/',
        'us-west-1',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'plaza-copy',
      prefix: 'site-a/db',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      url: 's3://plaza-copy/site-a/db?endpoint=http://127.0.0.1:9000&region=eu-west-1',
    });
    expect(parseBackupTarget('s3://plaza-copy', '/', 'us-east-1')).toMatchObject({
      prefix: '',
      region: 'us-east-1',
    });
  });

  it.each([
    ['', /empty/],
    ['https://example.com/copy', /only directories and s3:\/\/ URLs/],
    ['s3://x/copy', /is not an S3 bucket name/],
    ['s3://plaza-copy/a/../b', /\. or \.\. segments/],
    ['s3://plaza-copy/a?endpoint=ftp://host', /endpoint must be an http\(s\):\/\/host/],
    ['s3://plaza-copy/a?versioned=1', /unknown parameters versioned/],
  ])('refuses %j', (value, message) => {
    expect(() => parseBackupTarget(value, '/', 'us-west-1')).toThrow(message);
  });
});
