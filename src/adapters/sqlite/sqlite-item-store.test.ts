import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import { itemStoreContract } from '../../ports/item-store/item-store.contract.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import { noMeter, type CapacityMeter } from '../../ports/item-store/meter.ts';
import { mainTable } from '../../ports/item-store/table.ts';
import { openSqlite } from './sqlite-database.ts';
import { prefixUpperBound, SqliteItemStore } from './sqlite-item-store.ts';

function openStore(options: { sweepIntervalMs?: number; dir?: string; meter?: CapacityMeter } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'plaza-sqlite-'));
  const db = openSqlite({ path: join(dir, 'plaza.sqlite'), synchronous: 'NORMAL' });
  const clock = new ManualClock();
  const store = new SqliteItemStore({
    db,
    table: mainTable('plaza'),
    clock,
    meter: options.meter ?? noMeter,
    region: 'us-west-1',
    sweepIntervalMs: options.sweepIntervalMs ?? 0,
    streamPollMs: 50,
  });
  return {
    store,
    clock,
    db,
    dir,
    async close() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

itemStoreContract('sqlite', async () => openStore());

describe('SQLite engine', () => {
  it('sweeps expired items into REMOVE records marked as the TTL service', async () => {
    const harness = openStore();
    const { store, clock } = harness;
    const seen: StreamRecord[] = [];
    const subscription = store.changes.subscribe('ttl-test', async (records) => {
      seen.push(...records);
    });
    const nowSeconds = Math.floor(clock.now() / 1000);
    await store.put({ item: { PK: 'USER#1', SK: 'STORY#1', ttl: nowSeconds + 10 } });
    await store.put({ item: { PK: 'USER#1', SK: 'STORY#2', ttl: nowSeconds + 1000 } });
    expect(store.sweepExpired()).toBe(0);
    clock.advance(11_000);
    expect(store.sweepExpired()).toBe(1);
    await subscription.drain();
    await subscription.stop();
    const removal = seen.find((record) => record.eventName === 'REMOVE');
    expect(removal?.dynamodb.Keys.SK).toEqual({ S: 'STORY#1' });
    expect(removal?.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(harness.db.prepare('SELECT count(*) AS n FROM "items_plaza"').get()).toEqual({ n: 1 });
    await harness.close();
  });

  it('bounds begins_with prefixes in code point order', () => {
    expect(prefixUpperBound('POST#')).toBe('POST$');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{10FFFF}')).toBeUndefined();
    expect(prefixUpperBound('x\uD7FF')).toBe('x\uE000');
  });
});

describe('the row cache', () => {
  it('sees writes made through another connection, as another process makes them', async () => {
    const here = openStore();
    const there = openStore({ dir: here.dir });
    const key = { PK: 'POST#1', SK: 'METADATA' };
    expect((await here.store.get(key)).item).toBeUndefined();
    await there.store.put({ item: { ...key, likeCount: 1 } });
    expect((await here.store.get(key)).item).toEqual({ ...key, likeCount: 1 });
    await there.store.update({ key, set: { likeCount: 2 } });
    expect((await here.store.batchGet([key])).items).toEqual([{ ...key, likeCount: 2 }]);
    await there.store.delete({ key });
    expect((await here.store.get(key)).item).toBeUndefined();
    await there.store.close();
    there.db.close();
    await here.close();
  });

  it('follows its own writes, failed transactions and expiry', async () => {
    const harness = openStore();
    const { store, clock } = harness;
    const key = { PK: 'USER#1', SK: 'STORY#1' };
    const ttl = Math.floor(clock.now() / 1000) + 10;
    await store.put({ item: { ...key, n: 1, ttl } });
    expect((await store.get(key)).item).toEqual({ ...key, n: 1, ttl });
    await store.update({ key, set: { n: 2 } });
    expect((await store.get(key)).item).toMatchObject({ n: 2 });
    // A transaction that fails its condition leaves the cached row as it was.
    await expect(
      store.transactWrite([
        { update: { key, set: { n: 3 } } },
        { check: { PK: 'USER#2', SK: 'PROFILE' }, conditions: [{ op: 'itemExists' }] },
      ]),
    ).rejects.toThrow();
    expect((await store.get(key)).item).toMatchObject({ n: 2 });
    clock.advance(11_000);
    expect((await store.get(key)).item).toBeUndefined();
    await store.delete({ key });
    expect((await store.batchGet([key])).items).toEqual([]);
    await harness.close();
  });

  it('answers from memory what it holds, counted as a read, and nothing it would have to read', async () => {
    const reads: number[] = [];
    const harness = openStore({
      meter: { consumed: ({ readUnits, writeUnits }) => writeUnits === 0 && reads.push(readUnits) },
    });
    const { store, clock } = harness;
    const key = { PK: 'POST#1', SK: 'METADATA' };
    const absent = { PK: 'POST#2', SK: 'METADATA' };
    await store.put({ item: { ...key, likeCount: 1, ttl: Math.floor(clock.now() / 1000) + 10 } });
    // Not read since the write: the store would have to read it.
    expect(store.cached(key)).toBeUndefined();
    expect(store.cached(absent)).toBeUndefined();
    expect(reads).toEqual([]);
    const [read] = (await store.batchGet([key, absent])).items;
    reads.length = 0;
    expect(store.cached(key)).toBe(read);
    expect(store.cached(absent)).toBeNull();
    expect(reads).toEqual([0.5, 0.5]);
    // A write drops the row; expiry makes it absent, as a read would find it.
    await store.update({ key, set: { likeCount: 2 } });
    expect(store.cached(key)).toBeUndefined();
    await store.get(key);
    expect(store.cached(key)).toMatchObject({ likeCount: 2 });
    clock.advance(11_000);
    expect(store.cached(key)).toBeNull();
    await harness.close();
  });

  it('hands every reader the same frozen item, which no reader can change for the next', async () => {
    const harness = openStore();
    const { store } = harness;
    const key = { PK: 'POST#1', SK: 'METADATA' };
    await store.put({ item: { ...key, likeCount: 1, mediaKeys: ['a.jpg'], altTexts: { 'a.jpg': 'a cat' } } });
    const read = (await store.get(key)).item!;
    const [batched] = (await store.batchGet([key])).items;
    const [queried] = (await store.query({ partition: 'POST#1', limit: 1 })).items;
    expect(batched).toBe(read);
    expect(queried).toEqual(read);
    for (const item of [read, queried!]) {
      expect(() => (item.likeCount = 2)).toThrow(TypeError);
      expect(() => (item.mediaKeys as string[]).push('b.jpg')).toThrow(TypeError);
      expect(() => ((item.altTexts as Record<string, string>)['a.jpg'] = 'a dog')).toThrow(TypeError);
    }
    // A copy is the reader's own; a write through the store is seen by the next read.
    await store.put({ item: { ...read, likeCount: 2 } });
    expect((await store.get(key)).item).toMatchObject({ likeCount: 2, mediaKeys: ['a.jpg'] });
    expect(read.likeCount).toBe(1);
    await harness.close();
  });

  it('keeps query pages until a write reaches their partition, in the table or an index', async () => {
    const harness = openStore();
    const { store, clock } = harness;
    const feed = () =>
      store
        .query({ partition: 'FEED#1', descending: true, limit: 2 })
        .then((page) => page.items.map((item) => item.SK));
    const byDay = () =>
      store
        .query({ index: 'GSI1', partition: 'POST#2026-11-30', limit: 10 })
        .then((page) => page.items.map((item) => item.PK));
    const post = (id: string, day: string) => ({
      PK: `POST#${id}`,
      SK: 'METADATA',
      GSI1PK: `POST#${day}`,
      GSI1SK: id,
    });
    await store.batchWrite([
      { put: { PK: 'FEED#1', SK: 'A' } },
      { put: { PK: 'FEED#1', SK: 'B' } },
      { put: post('1', '2026-11-30') },
    ]);
    expect(await feed()).toEqual(['B', 'A']);
    expect(await byDay()).toEqual(['POST#1']);
    // A write to another partition leaves the pages; one to theirs is seen at once.
    await store.put({ item: { PK: 'FEED#2', SK: 'C' } });
    expect(await feed()).toEqual(['B', 'A']);
    await store.put({ item: { PK: 'FEED#1', SK: 'C', ttl: Math.floor(clock.now() / 1000) + 10 } });
    expect(await feed()).toEqual(['C', 'B']);
    await store.put({ item: post('2', '2026-11-30') });
    expect(await byDay()).toEqual(['POST#1', 'POST#2']);
    // An item that moves out of an index partition leaves its pages (the partition it had).
    await store.update({ key: { PK: 'POST#1', SK: 'METADATA' }, set: { GSI1PK: 'POST#2026-12-01' } });
    expect(await byDay()).toEqual(['POST#2']);
    // Expiry is judged when read, and a swept item leaves the page.
    clock.advance(11_000);
    expect(await feed()).toEqual(['B']);
    store.sweepExpired();
    expect(await feed()).toEqual(['B', 'A']);
    // A commit through another connection drops every page from the next turn.
    const there = openStore({ dir: harness.dir });
    await there.store.delete({ key: { PK: 'FEED#1', SK: 'B' } });
    expect(await feed()).toEqual(['A']);
    await there.store.close();
    there.db.close();
    await harness.close();
  });
});

describe('the change stream', () => {
  /** Every record a consumer of `store` gets, as eventName and keys, once it has caught up. */
  async function consumed(store: SqliteItemStore, name: string, batchSize?: number) {
    const seen: StreamRecord[] = [];
    const subscription = store.changes.subscribe(name, async (records) => void seen.push(...records), {
      ...(batchSize ? { batchSize } : {}),
    });
    await subscription.drain();
    await subscription.stop();
    return seen;
  }

  /** The change log as it is on disk, read by a stream that has no record in memory. */
  async function logged(dir: string) {
    const reader = openStore({ dir });
    const records = await consumed(reader.store, 'fresh-reader');
    await reader.store.close();
    reader.db.close();
    return records;
  }

  const view = (records: StreamRecord[]) =>
    records.map((record) => ({
      eventID: record.eventID,
      eventName: record.eventName,
      keys: record.dynamodb.Keys,
      newImage: record.dynamodb.NewImage,
      oldImage: record.dynamodb.OldImage,
    }));

  it("hands consumers the writer's committed records, none that rolled back, as the log has them", async () => {
    const harness = openStore();
    const { store } = harness;
    const key = (n: number) => ({ PK: `USER#${n}`, SK: 'NOTIF#FOLLOW#9' });
    // One group commit: a batch, a write whose condition fails, a transaction cancelled by its
    // check, one that fails in SQL after its first action was logged (its savepoint rolls back),
    // an update and a delete.
    harness.db.exec(
      `CREATE TRIGGER refuse AFTER INSERT ON "changes_plaza" WHEN NEW.pk = 'USER#refused' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    await store.put({ item: { ...key(0), n: 0 } });
    const outcomes = await Promise.allSettled([
      store.batchWrite([1, 2, 3].map((n) => ({ put: { ...key(n), n } }))),
      store.put({ item: { ...key(4), n: 4 }, conditions: [{ op: 'itemExists' }] }),
      store.transactWrite([
        { put: { ...key(5), n: 5 } },
        { check: key(6), conditions: [{ op: 'itemExists' }] },
      ]),
      store.transactWrite([{ put: { ...key(7), n: 7 } }, { put: { PK: 'USER#refused', SK: 'X' } }]),
      store.update({ key: key(1), set: { n: 10 } }),
      store.delete({ key: key(0) }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const live = await consumed(store, 'live', 3);
    expect(live.map((record) => [record.eventName, record.dynamodb.Keys.PK])).toEqual([
      ['INSERT', { S: 'USER#0' }],
      ['INSERT', { S: 'USER#1' }],
      ['INSERT', { S: 'USER#2' }],
      ['INSERT', { S: 'USER#3' }],
      ['MODIFY', { S: 'USER#1' }],
      ['REMOVE', { S: 'USER#0' }],
    ]);
    expect(view(live)).toEqual(view(await logged(harness.dir)));
    await harness.close();
  });

  it("reads from the log what another process wrote between this one's commits", async () => {
    const here = openStore();
    const there = openStore({ dir: here.dir });
    const put = (store: SqliteItemStore, n: number) =>
      store.batchWrite([0, 1].map((i) => ({ put: { PK: `USER#${n}`, SK: `NOTIF#${i}`, n } })));
    await put(here.store, 1);
    await put(there.store, 2);
    await put(here.store, 3);
    const live = await consumed(here.store, 'live', 2);
    expect(live.map((record) => record.dynamodb.Keys.PK)).toEqual(
      [1, 1, 2, 2, 3, 3].map((n) => ({ S: `USER#${n}` })),
    );
    expect(view(live)).toEqual(view(await logged(here.dir)));
    await there.store.close();
    there.db.close();
    await here.close();
  });
});
