/**
 * The ItemStore's SQLite engine against bare better-sqlite3 prepared
 * statements doing the same work, in the same run: point get and a 20-item
 * query page (through SQL, and again from the row cache), and a "like"
 * transaction (put-if-absent + counter).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type Synchronous } from '../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../src/adapters/sqlite/sqlite-item-store.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { systemClock } from '../src/ports/clock.ts';
import { mainTable } from '../src/ports/item-store/table.ts';
import { measure, printTable, type Row } from './harness.ts';

const users = 1000;
const postsPerUser = 50;

function profile(i: number) {
  return {
    PK: `USER#${i}`,
    SK: 'PROFILE',
    id: `${i}`,
    username: `user${i}`,
    displayName: `User ${i}`,
    bio: 'Photographer, traveller and coffee drinker.',
    followerCount: i,
    followingCount: 10,
    postCount: postsPerUser,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function userPost(user: number, post: number) {
  return {
    PK: `USER#${user}`,
    SK: `POST#${String(post).padStart(6, '0')}`,
    postId: `${user}-${post}`,
    description: 'A sunset over the bay, taken from the pier.',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

async function run(synchronous: Synchronous): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-'));
  const plazaDb = openSqlite({ path: join(dir, 'plaza.sqlite'), synchronous });
  const open = (rowCacheBytes?: number) =>
    new SqliteItemStore({
      db: plazaDb,
      table: mainTable('plaza'),
      clock: systemClock,
      meter: createMetrics({ defaultMetrics: false }).capacityMeter,
      region: 'us-west-1',
      sweepIntervalMs: 0,
      ...(rowCacheBytes === undefined ? {} : { rowCacheBytes }),
    });
  const store = open();
  // The same table without the row cache: every read goes through SQL, as the first read of a key does.
  const uncached = open(0);

  const bare = new Database(join(dir, 'bare.sqlite'));
  bare.pragma('journal_mode = WAL');
  bare.pragma(`synchronous = ${synchronous}`);
  bare.exec(
    'CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID',
  );
  const bareInsert = bare.prepare('INSERT OR REPLACE INTO items (pk, sk, item) VALUES (?, ?, ?)');

  // The same data in both.
  for (let u = 0; u < users; u++) {
    const items = [profile(u), ...Array.from({ length: postsPerUser }, (_, p) => userPost(u, p))];
    for (let i = 0; i < items.length; i += 25)
      await store.batchWrite(items.slice(i, i + 25).map((put) => ({ put })));
    bare.transaction(() => {
      for (const item of items) bareInsert.run(item.PK, item.SK, JSON.stringify(item));
    })();
  }

  const bareGet = bare.prepare<[string, string], { item: string }>(
    'SELECT item FROM items WHERE pk = ? AND sk = ?',
  );
  const bareQuery = bare.prepare<[string, string, string], { item: string }>(
    'SELECT item FROM items WHERE pk = ? AND sk >= ? AND sk < ? ORDER BY sk DESC LIMIT 20',
  );
  const bareLikePut = bare.prepare(
    'INSERT INTO items (pk, sk, item) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const bareCounter = bare.prepare<[string, string]>(
    "UPDATE items SET item = json_set(item, '$.likeCount', coalesce(json_extract(item, '$.likeCount'), 0) + 1) WHERE pk = ? AND sk = ?",
  );
  bareInsert.run('POST#hot', 'METADATA', JSON.stringify({ PK: 'POST#hot', SK: 'METADATA', likeCount: 0 }));
  const bareLike = bare.transaction((i: number) => {
    const inserted = bareLikePut.run(
      'POST#hot',
      `LIKE#USER#${i}`,
      JSON.stringify({ PK: 'POST#hot', SK: `LIKE#USER#${i}` }),
    );
    if (inserted.changes === 1) bareCounter.run('POST#hot', 'METADATA');
  });
  await store.put({ item: { PK: 'POST#hot', SK: 'METADATA', likeCount: 0 } });

  const key = (i: number) => ({ PK: `USER#${(i * 7919) % users}`, SK: 'PROFILE' });
  const rows: Row[] = [];

  const getBare = await measure((i) => {
    const k = key(i);
    return JSON.parse((bareGet.get(k.PK, k.SK) as { item: string }).item);
  });
  for (const [engine, name] of [
    [uncached, 'point get (SQL, no row cache)'],
    [store, 'point get (row cache)'],
  ] as const) {
    const plaza = await measure((i) => engine.get(key(i)));
    rows.push({ benchmark: name, plaza, bare: getBare, goal: '≥ 0.5× bare', ok: plaza >= 0.5 * getBare });
  }

  const queryBare = await measure((i) =>
    bareQuery.all(key(i).PK, 'POST#', 'POST$').map((row) => JSON.parse(row.item)),
  );
  for (const [engine, name] of [
    [uncached, 'query page of 20 (SQL, no row cache)'],
    [store, 'query page of 20 (row cache)'],
  ] as const) {
    const plaza = await measure((i) =>
      engine.query({
        partition: key(i).PK,
        sortKey: { op: 'beginsWith', value: 'POST#' },
        descending: true,
        limit: 20,
      }),
    );
    rows.push({ benchmark: name, plaza, bare: queryBare, goal: '≥ 0.5× bare', ok: plaza >= 0.5 * queryBare });
  }

  const likePlaza = await measure((i) =>
    store.transactWrite([
      { put: { PK: 'POST#hot', SK: `LIKE#USER#${i}` }, conditions: [{ op: 'itemNotExists' }] },
      { update: { key: { PK: 'POST#hot', SK: 'METADATA' }, add: { likeCount: 1 } } },
    ]),
  );
  const likeBare = await measure((i) => bareLike(i));
  rows.push({
    benchmark: 'like transaction, one at a time',
    plaza: likePlaza,
    bare: likeBare,
    goal: '≥ 5,000/s',
    ok: likePlaza >= 5000,
  });

  // A server has many requests in flight: 32 likers at once share commits (group commit);
  // the bare reference commits each like on its own, as a naive server would.
  const concurrent = 32;
  let next = 10_000_000;
  const likeConcurrent = await measure(() =>
    Promise.all(
      Array.from({ length: concurrent }, () => {
        const i = next++;
        return store.transactWrite([
          { put: { PK: 'POST#hot', SK: `LIKE#USER#${i}` }, conditions: [{ op: 'itemNotExists' }] },
          { update: { key: { PK: 'POST#hot', SK: 'METADATA' }, add: { likeCount: 1 } } },
        ]);
      }),
    ),
  );
  rows.push({
    benchmark: `like transaction, ${concurrent} at once`,
    plaza: likeConcurrent * concurrent,
    bare: likeBare,
    goal: '≥ 5,000/s',
    ok: likeConcurrent * concurrent >= 5000,
  });

  await store.close();
  await uncached.close();
  plazaDb.close();
  bare.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

export async function itemStoreBenchmark(): Promise<void> {
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    printTable(
      `ItemStore, SQLite engine vs bare better-sqlite3 (synchronous=${synchronous})`,
      await run(synchronous),
    );
  }
}
