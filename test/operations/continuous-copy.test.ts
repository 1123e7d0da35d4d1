import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import {
  restoringSqliteDatabase,
  SqliteChangeLogSource,
} from '../../src/adapters/sqlite/sqlite-change-log-copy.ts';
import { openSqlite } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createMetrics } from '../../src/platform/metrics.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import type { Item } from '../../src/ports/item-store/item-store.ts';
import { noMeter } from '../../src/ports/item-store/meter.ts';
import { mainTable, usersTable } from '../../src/ports/item-store/table.ts';
import type { ObjectStore } from '../../src/ports/object-store/object-store.ts';
import {
  ContinuousBackup,
  defaultContinuousBackupSettings,
} from '../../src/domain/operations/backup-copy/continuous-backup.ts';
import {
  segmentName,
  snapshotManifestName,
  type SnapshotManifest,
} from '../../src/domain/operations/backup-copy/copy-format.ts';
import { CopyStore } from '../../src/domain/operations/backup-copy/copy-store.ts';
import { restoreFromCopy } from '../../src/domain/operations/backup-copy/restore-copy.ts';

const root = mkdtempSync(join(tmpdir(), 'plaza-copy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);
const tables = [mainTable('plaza'), usersTable('plaza-users')] as const;

/** An object store that fails every call while `down` is set: the target unreachable. */
function switchable(store: ObjectStore): ObjectStore & { down: boolean } {
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || name === 'subscribe' || name === 'close') return value;
      return (...args: unknown[]) => {
        if ((proxy as { down?: boolean }).down) return Promise.reject(new Error('connect ECONNREFUSED'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as ObjectStore & { down: boolean };
  proxy.down = false;
  return proxy;
}

function site(dataDir: string, clock: ManualClock, copyDir: string) {
  const db = openSqlite({ path: join(dataDir, 'plaza.sqlite'), synchronous: 'NORMAL' });
  const [main, users] = tables.map(
    (table) =>
      new SqliteItemStore({ db, table, clock, meter: noMeter, region: 'us-west-1', sweepIntervalMs: 0 }),
  ) as [SqliteItemStore, SqliteItemStore];
  const media = new FsObjectStore({ root: join(dataDir, 'media'), durable: false });
  const target = switchable(new FsObjectStore({ root: copyDir, durable: false }));
  const metrics = createMetrics({ defaultMetrics: false });
  const open = () =>
    new ContinuousBackup({
      source: new SqliteChangeLogSource(join(dataDir, 'plaza.sqlite'), tables, clock.now),
      copy: new CopyStore(target, 'site'),
      media,
      dataDir,
      databaseName: 'plaza.sqlite',
      clock,
      logger: createLogger({ level: 'silent' }),
      lag: metrics.backupLag,
      settings: { ...defaultContinuousBackupSettings, segmentRecords: 50 },
    });
  return { db, main, users, media, target, metrics, open };
}

async function restore(
  copyDir: string,
  options: { toTime?: number; allowPartial?: boolean; tables?: string[] } = {},
) {
  const building = freshDir();
  mkdirSync(building);
  const copy = new CopyStore(new FsObjectStore({ root: copyDir, durable: false }), 'site');
  const result = await restoreFromCopy({
    copy,
    from: copyDir,
    building,
    toTime: options.toTime,
    allowPartial: options.allowPartial ?? false,
    tables: options.tables ?? tables.map((table) => table.name),
    openDatabase: (file) => restoringSqliteDatabase(file, tables),
    mediaInto: new FsObjectStore({ root: join(building, 'media'), durable: false }),
  });
  const db = openSqlite({ path: join(building, 'plaza.sqlite') });
  const items = (table: string) =>
    Object.fromEntries(
      db
        .prepare<[], { pk: string; sk: string; item: string }>(`SELECT pk, sk, item FROM "items_${table}"`)
        .all()
        .map((row) => [`${row.pk}|${row.sk}`, JSON.parse(row.item) as Item]),
    );
  const state = { main: items('plaza'), users: items('plaza-users') };
  db.close();
  return { result, state, building };
}

/** The model: every item of both tables as the writes left it, by time. */
class Model {
  main: Record<string, Item> = {};
  users: Record<string, Item> = {};
  history: { at: number; main: Record<string, Item>; users: Record<string, Item> }[] = [];
  record(table: 'main' | 'users', item: Item | { PK: string; SK: string; deleted: true }, at: number) {
    const key = `${item.PK}|${item.SK}`;
    if ('deleted' in item) delete this[table][key];
    else this[table][key] = item;
    this.history.push({ at, main: { ...this.main }, users: { ...this.users } });
  }
  at(time: number) {
    const state = this.history.filter((h) => h.at <= time).at(-1);
    return { main: state?.main ?? {}, users: state?.users ?? {} };
  }
}

async function writeSome(
  s: ReturnType<typeof site>,
  model: Model,
  clock: ManualClock,
  count: number,
  tag: string,
) {
  for (let n = 0; n < count; n++) {
    clock.advance(250);
    const item = { PK: `USER#${tag}${n % 7}`, SK: `POST#${n}`, n, tag };
    await s.main.put({ item });
    model.record('main', item, clock.now());
    if (n % 5 === 0) {
      const user = { PK: `POOL#${tag}${n}`, SK: 'USER', email: `${tag}${n}@example.com` };
      await s.users.put({ item: user });
      model.record('users', user, clock.now());
    }
    if (n % 9 === 8) {
      const gone = { PK: `USER#${tag}${(n - 1) % 7}`, SK: `POST#${n - 1}` };
      await s.main.delete({ key: gone });
      model.record('main', { ...gone, deleted: true }, clock.now());
    }
  }
}

describe('continuous off-machine copy', () => {
  it('ships a snapshot and segments; restores every item, the carried files and media, and any time in between', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const dataDir = freshDir();
    const copyDir = freshDir();
    const s = site(dataDir, clock, copyDir);
    mkdirSync(join(dataDir, 'identity'), { recursive: true });
    writeFileSync(join(dataDir, 'identity', 'pool.json'), '{"userPoolId":"us-west-1_abc"}');
    const model = new Model();
    await writeSome(s, model, clock, 40, 'a');
    const backup = s.open();
    await backup.shipOnce();
    expect(backup.status().generation).toBeDefined();
    await writeSome(s, model, clock, 130, 'b');
    await s.media.put('users/u1/posts/p1/original.jpg', Buffer.from('jpeg bytes'), {
      contentType: 'image/jpeg',
    });
    writeFileSync(join(dataDir, 'identity', 'signing-keys.json'), '{"keys":[1]}');
    await backup.shipOnce();
    // 130 writes and their users at 50 records a segment, then nothing waits.
    expect(backup.status().nextSegment).toBeGreaterThan(3);
    expect(backup.lagSeconds()).toBe(0);
    await backup.stop();

    const all = await restore(copyDir);
    expect(all.state).toEqual({ main: model.main, users: model.users });
    expect(readFileSync(join(all.building, 'identity', 'signing-keys.json'), 'utf8')).toBe('{"keys":[1]}');
    expect(readFileSync(join(all.building, 'identity', 'pool.json'), 'utf8')).toContain('us-west-1_abc');
    expect(all.result.media).toBe(1);
    expect(readdirSync(join(all.building, 'media', 'objects'))).toEqual(['users']);

    const snapshotAt = Date.parse(all.result.snapshotAt);
    for (const time of [snapshotAt, snapshotAt + 1_234, snapshotAt + 20_000, clock.now() - 777]) {
      const { state } = await restore(copyDir, { toTime: time });
      expect(state).toEqual(model.at(time));
    }
    await expect(restore(copyDir, { toTime: snapshotAt - 1 })).rejects.toThrow(
      /begins at .*its oldest snapshot/,
    );
    await expect(restore(copyDir, { tables: ['plaza', 'other-users'] })).rejects.toThrow(
      /holds tables plaza-users, which this configuration does not name/,
    );
    s.db.close();
  });

  it('keeps serving while the target is unreachable, reports the lag, and catches up', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 2));
    const dataDir = freshDir();
    const copyDir = freshDir();
    const s = site(dataDir, clock, copyDir);
    const model = new Model();
    const backup = s.open();
    await backup.shipOnce();
    s.target.down = true;
    await writeSome(s, model, clock, 60, 'c');
    await s.media.put('stories/u/s/image.jpg', Buffer.from('story'), { contentType: 'image/jpeg' });
    clock.advance(30_000);
    await backup.shipOnce();
    // The oldest unshipped write is 30 s + 59 writes × 250 ms old.
    expect(backup.lagSeconds()).toBeCloseTo(30 + 59 * 0.25, 1);
    const metric = await s.metrics.registry.getSingleMetricAsString('plaza_backup_lag_seconds');
    expect(metric).toMatch(/plaza_backup_lag_seconds 44\.75/);
    expect(backup.status().pendingMedia).toBe(1);

    s.target.down = false;
    await backup.shipOnce();
    expect(backup.lagSeconds()).toBe(0);
    expect(backup.status().pendingMedia).toBe(0);
    const { state, result } = await restore(copyDir);
    expect(state).toEqual({ main: model.main, users: model.users });
    expect(result.media).toBe(1);
    await backup.stop();
    s.db.close();
  });

  it('starts a new generation when the change log was trimmed past what the copy holds', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 5));
    const dataDir = freshDir();
    const copyDir = freshDir();
    const s = site(dataDir, clock, copyDir);
    const model = new Model();
    const backup = s.open();
    await writeSome(s, model, clock, 10, 't');
    await backup.shipOnce();
    const first = backup.status().generation;
    s.target.down = true;
    await writeSome(s, model, clock, 30, 'u');
    // The target stayed away longer than the log's retention: its oldest records are gone.
    s.db
      .prepare(
        `DELETE FROM "changes_plaza" WHERE seq <= (SELECT min(seq) + 4 FROM "changes_plaza" WHERE at > ?)`,
      )
      .run(clock.now() - 30 * 250);
    s.target.down = false;
    await backup.shipOnce();
    expect(backup.status().generation).not.toBe(first);
    expect((await restore(copyDir)).state).toEqual({ main: model.main, users: model.users });
    await backup.stop();
    s.db.close();
  });

  it('names a missing or corrupt segment, and restores up to the last good point only when asked', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 3));
    const dataDir = freshDir();
    const copyDir = freshDir();
    const s = site(dataDir, clock, copyDir);
    const model = new Model();
    const backup = s.open();
    await backup.shipOnce();
    const checkpoints: number[] = [];
    for (let round = 0; round < 4; round++) {
      await writeSome(s, model, clock, 10, `r${round}`);
      await backup.shipOnce();
      checkpoints.push(clock.now());
    }
    await backup.stop();
    const generation = backup.status().generation as string;
    const third = join(copyDir, 'objects', 'site', ...segmentName(generation, 3).split('/'));
    const bytes = readFileSync(third);
    const at = Math.floor(bytes.length / 3);
    bytes.writeUInt8((bytes.readUInt8(at) ^ 0xff) & 0xff, at);
    writeFileSync(third, bytes);
    await expect(restore(copyDir)).rejects.toThrow(
      new RegExp(`segment ${segmentName(generation, 3)} it is corrupt.*--allow-partial`),
    );
    const partial = await restore(copyDir, { allowPartial: true });
    expect(partial.result.stoppedAt?.segment).toBe(segmentName(generation, 3));
    expect(partial.state).toEqual(model.at(checkpoints[1] as number));

    rmSync(third);
    await expect(restore(copyDir)).rejects.toThrow(`segment ${segmentName(generation, 3)} it is missing`);

    // A manifest that would write outside the new data directory is refused, not followed.
    const copy = new CopyStore(new FsObjectStore({ root: copyDir, durable: false }), 'site');
    const manifest = JSON.parse(String(await copy.get(snapshotManifestName(generation)))) as SnapshotManifest;
    manifest.files.push({ path: 'identity/../../escaped', sha256: '', content: '' });
    await copy.put(snapshotManifestName(generation), Buffer.from(JSON.stringify(manifest)), {
      contentType: 'application/json',
    });
    await expect(restore(copyDir, { allowPartial: true })).rejects.toThrow(
      /names a file outside identity\/ and secrets\/ \(identity\/\.\.\/\.\.\/escaped\)/,
    );
    s.db.close();
  });

  it('goes on with the same generation after a restart, and starts a new one for another database', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 4));
    const dataDir = freshDir();
    const copyDir = freshDir();
    const s = site(dataDir, clock, copyDir);
    const model = new Model();
    await writeSome(s, model, clock, 20, 'x');
    const first = s.open();
    await first.shipOnce();
    await writeSome(s, model, clock, 20, 'y');
    await first.stop();
    const { generation, nextSegment } = first.status();
    await writeSome(s, model, clock, 20, 'z');
    const again = s.open();
    await again.shipOnce();
    expect(again.status().generation).toBe(generation);
    expect(again.status().nextSegment).toBe(nextSegment + 1);
    await again.stop();
    expect((await restore(copyDir)).state).toEqual({ main: model.main, users: model.users });

    // The last segment damaged at the target: the next start does not go on from it.
    const last = join(
      copyDir,
      'objects',
      'site',
      ...segmentName(generation as string, nextSegment).split('/'),
    );
    writeFileSync(last, 'damaged');
    const afterDamage = s.open();
    await writeSome(s, model, clock, 3, 'd');
    await afterDamage.shipOnce();
    expect(afterDamage.status().generation).toBeDefined();
    expect(afterDamage.status().generation).not.toBe(generation);
    await afterDamage.stop();
    expect((await restore(copyDir)).state).toEqual({ main: model.main, users: model.users });
    s.db.close();

    const other = site(freshDir(), clock, copyDir);
    await writeSome(other, new Model(), clock, 5, 'o');
    const elsewhere = other.open();
    await elsewhere.shipOnce();
    expect(elsewhere.status().generation).not.toBe(generation);
    await elsewhere.stop();
    other.db.close();
  });
});
