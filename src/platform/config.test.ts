import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { thrownMessage } from '../../test/support/fails-with.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (run: () => unknown) => thrownMessage(run, 'ConfigurationError');

describe('configuration', () => {
  it("defaults to the design's embedded setup", () => {
    const config = loadConfig({}, dir);
    expect(config.db.engine).toBe('sqlite');
    expect(config.port).toBe(4000);
    expect(config.region).toBe('us-west-1');
    expect(config.db.table).toBe('plaza');
    expect(config.db.sqlite.synchronous).toBe('FULL');
    expect(config.dataDir).toBe(join(dir, 'data'));
  });

  it('times out slow HTTP clients: headers in 10 s, the largest upload at 1 Mbit/s', () => {
    expect(loadConfig({}, dir).http).toEqual({
      headersTimeoutMs: 10_000,
      // 100 MiB at 125 000 B/s is 839 s, plus a minute.
      requestTimeoutMs: 899_000,
      keepAliveTimeoutMs: 72_000,
      connectionTimeoutMs: 120_000,
    });
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ media: { videoMaxMegabytes: 10 }, http: { headersTimeoutSeconds: 5 } }),
    );
    // The 20 MB image limit is then the largest upload.
    expect(loadConfig({}, dir).http).toMatchObject({ headersTimeoutMs: 5000, requestTimeoutMs: 228_000 });
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ http: { headersTimeoutSeconds: 30, requestTimeoutSeconds: 20 } }),
    );
    expect(failure(() => loadConfig({}, dir))).toContain(
      'headersTimeoutSeconds must not exceed requestTimeoutSeconds',
    );
    rmSync(join(dir, 'plaza.config.json'));
  });

  it('takes the environment over the config file', () => {
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ port: 5000, table: { name: 'fromfile' } }),
    );
    const config = loadConfig({ PORT: '6000' }, dir);
    expect(config.port).toBe(6000);
    expect(config.db.table).toBe('fromfile');
    rmSync(join(dir, 'plaza.config.json'));
  });

  it('takes the hybrid fan-out threshold from social.fanOutFollowerLimit or PLAZA_FAN_OUT_FOLLOWER_LIMIT (10,000 by default)', () => {
    expect(loadConfig({}, dir).social.fanOutFollowerLimit).toBe(10_000);
    const path = join(dir, 'plaza.config.json');
    writeFileSync(path, JSON.stringify({ social: { fanOutFollowerLimit: 2_500 } }));
    expect(loadConfig({}, dir).social.fanOutFollowerLimit).toBe(2_500);
    for (const bad of [0, 1.5, '5000']) {
      writeFileSync(path, JSON.stringify({ social: { fanOutFollowerLimit: bad } }));
      expect(failure(() => loadConfig({}, dir))).toMatch(/social\.fanOutFollowerLimit/);
    }
    writeFileSync(path, JSON.stringify({ social: { fanOutLimit: 5000 } }));
    expect(failure(() => loadConfig({}, dir))).toMatch(/fanOutLimit/);
    rmSync(path);
    // The Lambdas have no config file: the environment names it there.
    expect(loadConfig({ PLAZA_FAN_OUT_FOLLOWER_LIMIT: '4000' }, dir).social.fanOutFollowerLimit).toBe(4000);
    expect(failure(() => loadConfig({ PLAZA_FAN_OUT_FOLLOWER_LIMIT: '0' }, dir))).toMatch(
      /PLAZA_FAN_OUT_FOLLOWER_LIMIT/,
    );
  });

  it('takes per-user write limits from social.writesPerMinute, each kind apart', () => {
    expect(loadConfig({}, dir).social.writesPerMinute).toEqual({
      posts: 10,
      comments: 30,
      likes: 120,
      follows: 60,
      reports: 10,
    });
    const path = join(dir, 'plaza.config.json');
    writeFileSync(path, JSON.stringify({ social: { writesPerMinute: { likes: 600 } } }));
    expect(loadConfig({}, dir).social.writesPerMinute).toMatchObject({ likes: 600, posts: 10 });
    for (const bad of [{ likes: 0 }, { shares: 5 }, { posts: '5' }]) {
      writeFileSync(path, JSON.stringify({ social: { writesPerMinute: bad } }));
      expect(failure(() => loadConfig({}, dir))).toMatch(/social\.writesPerMinute/);
    }
    rmSync(path);
    // The Lambdas have no config file: the CDK app passes the limits in the environment.
    expect(loadConfig({ PLAZA_WRITES_PER_MINUTE: 'likes=600,posts=3' }, dir).social.writesPerMinute).toEqual({
      posts: 3,
      comments: 30,
      likes: 600,
      follows: 60,
      reports: 10,
    });
    for (const bad of ['likes=0', 'shares=5', 'likes=5,', 'likes'])
      expect(failure(() => loadConfig({ PLAZA_WRITES_PER_MINUTE: bad }, dir))).toMatch(
        /PLAZA_WRITES_PER_MINUTE/,
      );
  });

  it('names every bad value', () => {
    const message = failure(() => loadConfig({ PLAZA_DB: 'mongo', PORT: '99999', AWS_REGION: 'mars' }, dir));
    expect(message).toMatch(/PLAZA_DB/);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/AWS_REGION/);
  });

  it('refuses unknown keys and broken JSON in the config file', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ prot: 5000 }));
    expect(failure(() => loadConfig({ PLAZA_CONFIG: 'bad.json' }, dir))).toMatch(/prot/);
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    expect(failure(() => loadConfig({ PLAZA_CONFIG: 'broken.json' }, dir))).toMatch(/not valid JSON/);
  });

  it('takes the nextToken key from Secrets Manager on AWS, from DATA_DIR otherwise', () => {
    expect(loadConfig({}, dir).nextTokenSecretArn).toBeUndefined();
    const arn = 'arn:aws:secretsmanager:us-west-1:123456789012:secret:plaza-next-token-AbCdEf';
    expect(loadConfig({ PLAZA_NEXT_TOKEN_SECRET_ARN: arn }, dir).nextTokenSecretArn).toBe(arn);
    expect(failure(() => loadConfig({ PLAZA_NEXT_TOKEN_SECRET_ARN: 'next-token' }, dir))).toMatch(
      /PLAZA_NEXT_TOKEN_SECRET_ARN/,
    );
  });
});
