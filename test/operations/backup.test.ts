/**
 * Backups and point-in-time restore of the SQLite engine.
 *
 * - A backup taken while the store takes at least 500 writes a second is
 *   consistent: its change log ends exactly where its items do, it restores
 *   to a file that passes integrity_check, and it holds every write
 *   acknowledged before the backup began.
 * - Point-in-time restore, at 50 random seconds of a scripted history
 *   (ManualClock), gives exactly the items a model of the writes holds at
 *   that second, indexes and TTL sweeps included.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { localBackups } from '../../src/adapters/fs/fs-backups.ts';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { openSqlite } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { integrityCheck } from '../../src/adapters/sqlite/sqlite-backup.ts';
import { ManualClock, systemClock, type Clock } from '../../src/ports/clock.ts';
import type { Item } from '../../src/ports/item-store/item-store.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable, usersTable } from '../../src/ports/item-store/table.ts';

const root = mkdtempSync(join(tmpdir(), 'plaza-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

function openStores(dataDir: string, clock: Clock) {
  const db = openSqlite({ path: join(dataDir, 'plaza.sqlite'), synchronous: 'NORMAL' });
  const tables = [mainTable('plaza'), usersTable('plaza-users')] as const;
  const [main, users] = tables.map(
    (table) =>
      new SqliteItemStore({ db, table, clock, meter: noMeter, region: 'us-west-1', sweepIntervalMs: 0 }),
  ) as [SqliteItemStore, SqliteItemStore];
  const objects = new FsObjectStore({ root: join(dataDir, 'media'), durable: false });
  const backups = localBackups({
    dataDir,
    databasePath: join(dataDir, 'plaza.sqlite'),
    tables,
    clock,
    objects,
    objectsIn: (dir) => new FsObjectStore({ root: join(dir, 'media'), durable: false }),
  });
  return {
    db,
    main,
    users,
    objects,
    backups,
    async close() {
      await main.close();
      await users.close();
      await objects.close();
      db.close();
    },
  };
}

/** The items of a table as stored in a SQLite file: key → item. */
function itemsIn(path: string, table = 'plaza'): Map<string, Item> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare<[], { pk: string; sk: string; item: string }>(`SELECT pk, sk, item FROM "items_${table}"`)
      .all();
    return new Map(rows.map((row) => [`${row.pk}|${row.sk}`, JSON.parse(row.item) as Item]));
  } finally {
    db.close();
  }
}

describe('a backup taken under load', () => {
  it('holds every write acknowledged before it began, is consistent, and restores to a sound file', async () => {
    const dataDir = freshDir();
    const stores = openStores(dataDir, systemClock);
    // Some identity files and media for the backup to carry and list.
    mkdirSync(join(dataDir, 'identity'), { recursive: true });
    writeFileSync(join(dataDir, 'identity', 'pool.json'), '{"userPoolId":"us-west-1_test"}');
    const jpeg = { contentType: 'image/jpeg' };
    await stores.objects.put('users/u1/profile/avatar.jpg', Buffer.from('jpeg bytes'), jpeg);
    await stores.objects.put('users/u1/posts/p1/original.jpg', Buffer.from('deleted after the backup'), jpeg);
    await stores.objects.put(
      'users/u1/posts/p2/original.jpg',
      Buffer.from('replaced after the backup'),
      jpeg,
    );
    // About 24 MB, so the copy takes many steps while the writers go on.
    const padding = 'x'.repeat(800);
    for (let i = 0; i < 30_000; i += 25) {
      await stores.main.batchWrite(
        Array.from({ length: 25 }, (_, j) => ({ put: { PK: `SEED#${i + j}`, SK: 'A', padding } })),
      );
    }

    const acknowledged = new Map<string, { value: number; at: number }>();
    let running = true;
    let written = 0;
    const writer = async (id: number) => {
      for (let n = 0; running; n++) {
        const key = `W#${id}#${n % 400}`;
        await stores.main.put({ item: { PK: key, SK: 'A', value: n, padding } });
        acknowledged.set(key, { value: n, at: performance.now() });
        written++;
      }
    };
    const writers = Array.from({ length: 8 }, (_, id) => writer(id));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const began = performance.now();
    const writtenBefore = written;
    const ackedBefore = new Map([...acknowledged].filter(([, ack]) => ack.at <= began));
    let steps = 0;
    const manifest = await stores.backups.create(() => steps++);
    const seconds = (performance.now() - began) / 1000;
    const rate = (written - writtenBefore) / seconds;
    running = false;
    await Promise.all(writers);
    await stores.close();

    expect(steps).toBeGreaterThan(3);
    expect(rate).toBeGreaterThanOrEqual(500);

    const into = freshDir();
    const objects = new FsObjectStore({ root: join(dataDir, 'media'), durable: false });
    await objects.delete('users/u1/posts/p1/original.jpg');
    await objects.put('users/u1/posts/p2/original.jpg', Buffer.from('another photo'), {
      contentType: 'image/jpeg',
    });
    const restored = await localBackups({
      dataDir,
      databasePath: join(dataDir, 'plaza.sqlite'),
      tables: [mainTable('plaza'), usersTable('plaza-users')],
      clock: systemClock,
      objects,
      objectsIn: (dir) => new FsObjectStore({ root: join(dir, 'media'), durable: false }),
    }).restore(manifest.id, into);
    await objects.close();
    expect(integrityCheck(join(into, 'plaza.sqlite'))).toEqual(['ok']);
    expect(manifest.media.objects).toBe(3);
    expect(restored.media).toEqual({
      restored: 1,
      missing: ['users/u1/posts/p1/original.jpg', 'users/u1/posts/p2/original.jpg'],
    });
    const copy = new FsObjectStore({ root: join(into, 'media') });
    const avatar = await copy.get('users/u1/profile/avatar.jpg');
    expect(avatar?.info.contentType).toBe('image/jpeg');
    expect(Buffer.concat(await avatar!.body.toArray()).toString()).toBe('jpeg bytes');
    await copy.close();
    expect(readFileSync(join(into, 'identity', 'pool.json'), 'utf8')).toContain('us-west-1_test');
    expect(readdirSync(into).sort()).toEqual(['identity', 'media', 'plaza.sqlite']);

    const items = itemsIn(join(into, 'plaza.sqlite'));
    expect([...items.keys()].filter((key) => key.startsWith('SEED#'))).toHaveLength(30_000);
    // Every acknowledged write is there, or a later write of the same key.
    for (const [key, ack] of ackedBefore) {
      const item = items.get(`${key}|A`);
      expect(item, key).toBeDefined();
      expect(item!.value as number).toBeGreaterThanOrEqual(ack.value);
    }
    // Consistent: the items are exactly what the backup's own change log says, up to its position.
    const db = new Database(join(into, 'plaza.sqlite'), { readonly: true });
    const log = db
      .prepare<[], { seq: number; pk: string; sk: string; new_item: string | null }>(
        'SELECT seq, pk, sk, new_item FROM "changes_plaza" ORDER BY seq',
      )
      .all();
    db.close();
    expect(log.at(-1)?.seq).toBe(manifest.tables.plaza!.changeLogPosition);
    const replayed = new Map<string, string>();
    for (const record of log) {
      if (record.new_item === null) replayed.delete(`${record.pk}|${record.sk}`);
      else replayed.set(`${record.pk}|${record.sk}`, record.new_item);
    }
    expect(replayed.size).toBe(items.size);
    for (const [key, json] of replayed) expect(items.get(key)).toEqual(JSON.parse(json));
  });
});

describe('point-in-time restore', () => {
  it('matches a model of the writes at 50 random seconds', async () => {
    const dataDir = freshDir();
    const start = Date.UTC(2026, 4, 1);
    const clock = new ManualClock(start);
    const stores = openStores(dataDir, clock);
    const random = mulberry32(20260501);
    const pick = (n: number) => Math.floor(random() * n);

    // The model: every change with its time, per table.
    const history: { at: number; table: 'plaza' | 'plaza-users'; key: string; item: Item | undefined }[] = [];
    const state = new Map<string, Item>();
    const record = (table: 'plaza' | 'plaza-users', key: string, item: Item | undefined) => {
      history.push({ at: clock.now(), table, key, item });
      if (item) state.set(`${table}|${key}`, item);
      else state.delete(`${table}|${key}`);
    };

    const seconds = 400;
    const backupAt = new Set([40, 150, 151, 290]);
    for (let second = 0; second < seconds; second++) {
      clock.set(start + second * 1000);
      if (backupAt.has(second)) await stores.backups.create();
      for (let n = pick(4); n > 0; n--) {
        clock.advance(pick(200));
        const id = pick(30);
        const key = { PK: `USER#${id}`, SK: `POST#${pick(3)}` };
        const op = pick(10);
        if (op < 5) {
          const item: Item = {
            ...key,
            text: `t${second}.${n}`,
            GSI1PK: `DAY#${second % 3}`,
            GSI1SK: `${second}`,
          };
          if (pick(5) === 0) item.ttl = Math.floor(clock.now() / 1000) + pick(60);
          await stores.main.put({ item });
          record('plaza', `${key.PK}|${key.SK}`, item);
        } else if (op < 7) {
          const { previous } = await stores.main.delete({ key });
          if (previous) record('plaza', `${key.PK}|${key.SK}`, undefined);
        } else if (op < 9) {
          const { item } = await stores.main.update({ key, add: { likes: 1 } });
          record('plaza', `${key.PK}|${key.SK}`, item);
        } else {
          // Both tables at the same instant.
          const user = { PK: `USER#${id}`, SK: 'USER', logins: second };
          const counter = { PK: `STATS#${pick(2)}`, SK: 'COUNT', at: second };
          await Promise.all([stores.users.put({ item: user }), stores.main.put({ item: counter })]);
          record('plaza-users', `${user.PK}|${user.SK}`, user);
          record('plaza', `${counter.PK}|${counter.SK}`, counter);
        }
      }
      if (second % 25 === 24) {
        clock.advance(300);
        const before = new Map(state);
        stores.main.sweepExpired();
        const nowSeconds = Math.floor(clock.now() / 1000);
        for (const [key, item] of before)
          if (key.startsWith('plaza|') && typeof item.ttl === 'number' && item.ttl <= nowSeconds)
            record('plaza', key.slice('plaza|'.length), undefined);
      }
    }
    clock.set(start + seconds * 1000);

    const modelAt = (time: number, table: string) => {
      const items = new Map<string, Item>();
      for (const change of history) {
        if (change.at > time || change.table !== table) continue;
        if (change.item) items.set(change.key, change.item);
        else items.delete(change.key);
      }
      return items;
    };

    const times = Array.from({ length: 50 }, () => start + (40 + pick(seconds - 40)) * 1000);
    for (const time of times) {
      const into = freshDir();
      const result = await stores.backups.restoreToTime(time, into, 35 * 24 * 3600 * 1000);
      expect(result.backup.takenAtMs).toBeLessThanOrEqual(time);
      for (const table of ['plaza', 'plaza-users']) {
        const restored = itemsIn(join(into, 'plaza.sqlite'), table);
        expect(restored, `${table} at ${new Date(time).toISOString()}`).toEqual(modelAt(time, table));
      }
      // The indexes were rebuilt with the items: GSI1 answers as the model does.
      const db = openSqlite({ path: join(into, 'plaza.sqlite') });
      const restoredStore = new SqliteItemStore({
        db,
        table: mainTable('plaza'),
        clock,
        meter: noMeter,
        region: 'us-west-1',
        sweepIntervalMs: 0,
      });
      const day = (await restoredStore.query({ index: 'GSI1', partition: 'DAY#1' })).items.map(
        (item) => item.PK,
      );
      const expected = [...modelAt(time, 'plaza').values()]
        .filter((item) => item.GSI1PK === 'DAY#1')
        // Expired items stay stored until swept, but no read returns them.
        .filter((item) => !(typeof item.ttl === 'number' && item.ttl * 1000 <= clock.now()))
        .sort(
          (a, b) =>
            String(a.GSI1SK).localeCompare(String(b.GSI1SK)) ||
            String(a.PK).localeCompare(String(b.PK)) ||
            String(a.SK).localeCompare(String(b.SK)),
        )
        .map((item) => item.PK);
      expect(day).toEqual(expected);
      await restoredStore.close();
      db.close();
      rmSync(into, { recursive: true, force: true });
    }

    // Times it cannot restore to are refused plainly.
    await expect(
      stores.backups.restoreToTime(start + 10_000, freshDir(), 35 * 24 * 3600 * 1000),
    ).rejects.toThrow(/No backup was taken at or before 2026-05-01T00:00:10.000Z/);
    await expect(
      stores.backups.restoreToTime(clock.now() + 1000, freshDir(), 35 * 24 * 3600 * 1000),
    ).rejects.toThrow(/is in the future/);
    await expect(stores.backups.restoreToTime(start + 100_000, freshDir(), 60_000)).rejects.toThrow(
      /before the change log's retention window/,
    );
    await stores.close();
  });

  it('refuses a log trimmed past the backup, and a damaged backup', async () => {
    const dataDir = freshDir();
    const start = Date.UTC(2026, 5, 1);
    const clock = new ManualClock(start);
    const stores = openStores(dataDir, clock);
    await stores.main.put({ item: { PK: 'A', SK: 'A' } });
    const backup = await stores.backups.create();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await stores.main.put({ item: { PK: 'A', SK: 'A', n: i } });
    }
    // The retention trim drops the records right after the backup.
    stores.db.prepare('DELETE FROM "changes_plaza" WHERE at <= ?').run(start + 2000);
    await expect(stores.backups.restoreToTime(start + 4000, freshDir(), 60_000)).rejects.toThrow(
      /no longer reaches back to this backup/,
    );

    const damaged = join(stores.backups.backupsDir, backup.id, 'plaza.sqlite');
    const bytes = readFileSync(damaged);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(damaged, bytes);
    const into = freshDir();
    await expect(stores.backups.restore(backup.id, into)).rejects.toThrow(
      /damaged: plaza.sqlite does not match/,
    );
    expect(() => readdirSync(into)).toThrow(/ENOENT/);
    await stores.close();
  });
});

/** A small seeded generator, so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
