import { openSqliteStore } from '../support/sqlite-store.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.ts';
import { MediaJobs } from '../../src/domain/media/media-jobs.ts';
import { MEDIA_JOBS, mediaKey } from '../../src/domain/media/model.ts';

const logger = createLogger({ level: 'silent' });

describe('MediaJobs', () => {
  it('runs each key once however often it is queued, at most `concurrency` at a time', async () => {
    let running = 0;
    let peak = 0;
    const runs: string[] = [];
    const jobs = new MediaJobs(
      async (key) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        runs.push(key);
        running--;
        return 'READY';
      },
      { concurrency: 2, attempts: 1, logger },
    );
    for (const key of ['a', 'b', 'a', 'c', 'd', 'b']) jobs.enqueue(key);
    await jobs.idle();
    expect(runs.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(peak).toBe(2);
    await jobs.close();
  });

  it('retries a failing job with backoff, then gives up until the next start', async () => {
    const attempts: number[] = [];
    const outcomes: string[] = [];
    let calls = 0;
    const jobs = new MediaJobs(
      async () => {
        attempts.push(performance.now());
        if (++calls < 3) throw new Error('store unavailable');
        return 'READY';
      },
      {
        concurrency: 1,
        attempts: 3,
        logger,
        retryDelayMs: 20,
        onOutcome: (outcome) => outcomes.push(outcome),
      },
    );
    jobs.enqueue('k');
    await jobs.idle();
    expect(outcomes).toEqual(['ERROR', 'ERROR', 'READY']);
    const [first = 0, second = 0, third = 0] = attempts;
    expect(second - first).toBeGreaterThanOrEqual(18);
    expect(third - second).toBeGreaterThanOrEqual(38);

    const failing = new MediaJobs(
      async () => {
        throw new Error('always');
      },
      {
        concurrency: 1,
        attempts: 2,
        logger,
        retryDelayMs: 1,
        onOutcome: (outcome) => outcomes.push(outcome),
      },
    );
    failing.enqueue('k');
    await failing.idle();
    expect(outcomes.slice(3)).toEqual(['ERROR', 'ERROR']);
  });

  it('recovers the uploads a previous run left queued in the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-jobs-'));
    const { db, store } = openSqliteStore(join(dir, 'plaza.sqlite'), { synchronous: 'NORMAL' });
    for (const key of ['users/u/posts/1/original.jpg', 'users/u/posts/2/original.jpg']) {
      await store.put({
        item: { ...mediaKey(key), key, GSI3PK: MEDIA_JOBS, GSI3SK: '2026-01-01T00:00:00.000Z' },
      });
    }
    await store.put({ item: { ...mediaKey('done.jpg'), key: 'done.jpg', status: 'READY' } });
    const runs: string[] = [];
    const jobs = new MediaJobs(
      async (key) => {
        runs.push(key);
        return 'READY';
      },
      { concurrency: 1, attempts: 1, logger },
    );
    expect(await jobs.recover(store)).toBe(2);
    await jobs.idle();
    expect(runs.sort()).toEqual(['users/u/posts/1/original.jpg', 'users/u/posts/2/original.jpg']);
    await jobs.close();
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
