/**
 * What the audit log and the analytics cost the writes (ADR 0010): createPost and likePost through
 * the SQLite item store, with their stream consumers running in the same process (as in the
 * server) against none, in the same run, rounds interleaved. Throughput counts until the consumers
 * have caught up, so work they put off is paid for. A second workload deletes posts, each leaving
 * an audit entry. Goal: audit costs < 10% of write throughput.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIds } from '../src/adapters/ids/node-ids.ts';
import { openSqlite, type Synchronous } from '../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../src/adapters/sqlite/sqlite-item-store.ts';
import { insightConsumers, openInsights } from '../src/app/insights.ts';
import { auditConsumer, runConsumers, type StreamConsumer } from '../src/app/stream-consumers.ts';
import { createPost } from '../src/domain/social/create-post.ts';
import { createProfile } from '../src/domain/social/create-profile.ts';
import { deletePost } from '../src/domain/social/delete-post.ts';
import { likePost } from '../src/domain/social/like-post.ts';
import { defaultSocialSettings, type SocialServices } from '../src/domain/social/model.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { systemClock } from '../src/ports/clock.ts';
import { noMeter } from '../src/ports/item-store/meter.ts';
import { mainTable } from '../src/ports/item-store/table.ts';
import { median, printTable, type Row } from './harness.ts';

const users = 200;
const seconds = 2;
const concurrency = 8;
const rounds = 3;
const postsToDelete = 1500;

type Setup = 'none' | 'audit' | 'audit + analytics';
type Workload = 'createPost + likePost' | 'deletePost';

const userId = (i: number) => `00000000-0000-4000-8000-${String(i % users).padStart(12, '0')}`;

function openStore(path: string, synchronous: Synchronous) {
  const db = openSqlite({ path, synchronous });
  const store = new SqliteItemStore({
    db,
    table: mainTable('plaza'),
    clock: systemClock,
    meter: noMeter,
    region: 'us-west-1',
    sweepIntervalMs: 0,
  });
  const social: SocialServices = {
    store,
    clock: systemClock,
    ids: nodeIds(systemClock),
    settings: defaultSocialSettings,
  };
  return { db, store, social };
}

/** Profiles and posts, written without a sync per commit (the seed is not measured). */
async function seed(path: string, posts: number): Promise<string[]> {
  const { db, store, social } = openStore(path, 'NORMAL');
  for (let u = 0; u < users; u++) await createProfile({ userId: userId(u) }, social);
  const ids: string[] = [];
  for (let p = 0; p < posts; p++)
    ids.push((await createPost(userId(p), { description: `post ${p}` }, social)).id);
  await store.close();
  db.close();
  return ids;
}

async function run(setup: Setup, workload: Workload): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-audit-'));
  const path = join(dir, 'plaza.sqlite');
  const posts = await seed(path, workload === 'deletePost' ? postsToDelete : users);
  // As the server writes: synchronous=FULL, a sync before each write resolves.
  const { db, store, social } = openStore(path, 'FULL');
  const insights = openInsights({ dataDir: dir });
  const consumers: StreamConsumer[] =
    setup === 'none'
      ? []
      : setup === 'audit + analytics'
        ? insightConsumers(insights, 'main')
        : [auditConsumer(insights.audit, 'main')];
  const running = runConsumers(store.changes, consumers, {
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    clock: systemClock,
  });
  // The seed's changes are not what is measured.
  await running.drain();

  let next = 0;
  const more = () => workload !== 'deletePost' || next < posts.length;
  const op = async () => {
    const i = next++;
    if (workload === 'deletePost') await deletePost(userId(i), posts[i]!, social);
    else if (i % 2 === 0) await createPost(userId(i), { description: `post ${i}` }, social);
    // A like per (user, post) pair, never repeated: a repeated like writes nothing.
    else await likePost(userId(i), posts[Math.floor(i / users) % posts.length]!, social);
  };
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end && more()) await op();
    }),
  );
  await running.drain();
  const opsPerSecond = next / ((performance.now() - start) / 1000);
  await running.stop();
  await insights.close();
  await store.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return opsPerSecond;
}

export async function auditBenchmark(): Promise<void> {
  const rows: Row[] = [];
  for (const workload of ['createPost + likePost', 'deletePost'] as const) {
    const results: Record<Setup, number[]> = { none: [], audit: [], 'audit + analytics': [] };
    for (let round = 0; round < rounds; round++)
      for (const setup of Object.keys(results) as Setup[]) {
        const opsPerSecond = await run(setup, workload);
        console.error(`audit bench: ${workload}, ${setup}: ${Math.round(opsPerSecond)} ops/s`);
        results[setup].push(opsPerSecond);
      }
    const bare = median(results.none);
    for (const setup of ['audit', 'audit + analytics'] as const) {
      const plaza = median(results[setup]);
      rows.push({
        benchmark: `${workload}, with ${setup}`,
        plaza,
        bare,
        goal: '≥ 0.9× without',
        ok: plaza >= 0.9 * bare,
      });
    }
  }
  printTable(
    `Writes with the audit and analytics consumers running, against none ("bare"): SQLite, synchronous=FULL, ${concurrency} writers, ${seconds} s, median of ${rounds}`,
    rows,
  );
}
