/**
 * Privacy and the data lifecycle (issue 16), against bare references in the same run, on one
 * account seeded through the domain on SQLite (synchronous=FULL, the default) and the file-system
 * object store: 1,000 posts (every tenth with a photo: its original and four variants), 10,000
 * likes given to 1,000 other users' posts, 500 followers and 500 followees, comments both ways,
 * likes received, and the feeds the fan-out filled. Each phase waits for the change stream, so
 * the feeds are what that order leaves: the first 900 posts predate the follows (each follower's
 * backfill copies the 20 newest), the last 100 are fanned out to all 500 followers.
 *
 * - Account deletion. Plaza: `deleteAccount`, then the change stream's two consumers, the
 *   erasure cascade (cascade-deletions.ts) and the feed fan-out, until both have drained
 *   everything (their own deletions are records too). Bare: the same deletes and counter updates
 *   on a copy of the same database file, as a loop of better-sqlite3 statements in ONE
 *   transaction, then `fs.rm` of the user's object folders: what one machine must do at least.
 *   The two end states are compared item by item; any difference fails the benchmark.
 * - Data export of the same account, before the deletion: bench/privacy-export.ts (Plaza's
 *   streamed builder against reading each list whole), MB/s and peak RSS.
 *
 * The CDN invalidation and the API-cache eviction are no-ops here (no CloudFront, nothing cached).
 * Sizes scale with PRIVACY_BENCH_SCALE (or `--privacy-scale=`), e.g. 0.1 for a quick run;
 * PRIVACY_BENCH_SYNCHRONOUS=NORMAL runs both sides without a WAL sync per commit.
 */
import Database from 'better-sqlite3';
import { defaultDataExportSettings } from '../src/domain/privacy/data-export.ts';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FsObjectStore } from '../src/adapters/fs/fs-object-store.ts';
import { nodeIds } from '../src/adapters/ids/node-ids.ts';
import { openSqlite, type Synchronous } from '../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../src/adapters/sqlite/sqlite-item-store.ts';
import { sqlName, sqliteTableNames } from '../src/adapters/sqlite/sqlite-schema.ts';
import { variantKey } from '../src/domain/media/media-keys.ts';
import { mediaKey } from '../src/domain/media/model.ts';
import { cascadeDeletions } from '../src/domain/privacy/cascade-deletions.ts';
import { deleteAccount } from '../src/domain/privacy/delete-account.ts';
import { userObjectPrefixes } from '../src/domain/privacy/erase-account.ts';
import { inParallel, type PrivacyServices } from '../src/domain/privacy/model.ts';
import { addComment } from '../src/domain/social/add-comment.ts';
import { createPost } from '../src/domain/social/create-post.ts';
import { createProfile } from '../src/domain/social/create-profile.ts';
import { fanOutFeed } from '../src/domain/social/feed-fan-out.ts';
import { followUser } from '../src/domain/social/follow-user.ts';
import { ownedByIndex } from '../src/domain/social/keys.ts';
import { likePost } from '../src/domain/social/like-post.ts';
import { defaultSocialSettings, type SocialServices } from '../src/domain/social/model.ts';
import { updateProfile } from '../src/domain/social/update-profile.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { AttributeValue, StreamRecord, StreamSubscription } from '../src/ports/item-store/item-store.ts';
import { noMeter } from '../src/ports/item-store/meter.ts';
import { mainTable } from '../src/ports/item-store/table.ts';
import { printTable, type Row } from './harness.ts';
import { measureExport } from './privacy-export.ts';

const scaleArgument = process.argv.find((arg) => arg.startsWith('--privacy-scale='));
const scale = Number(scaleArgument?.slice('--privacy-scale='.length) ?? process.env.PRIVACY_BENCH_SCALE ?? 1);
/** FULL, the default configuration, syncs the WAL on every commit; NORMAL only at checkpoints. */
const synchronous: Synchronous = process.env.PRIVACY_BENCH_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL';
const scaled = (full: number, least: number) => Math.max(least, Math.round(full * scale));

const ownerId = 'privacy-bench-owner';
const ownerName = 'privacy_owner';
const otherId = (i: number) => `privacy-bench-other-${i}`;
const mib = 1024 ** 2;
/** Requests in flight while seeding: group commit shares one WAL sync among them. */
const seedConcurrency = 32;
/** A photo's original and the few variants the pipeline leaves beside it: name, square size, bytes. */
const originalBytes = 100 * 1024;
const variantFiles: [name: string, size: number | undefined, bytes: number][] = [
  ['150.jpg', 150, 6 * 1024],
  ['600.jpg', 600, 40 * 1024],
  ['medium.jpg', undefined, 60 * 1024],
  ['thumbnail.jpg', 150, 6 * 1024],
];

function sizes() {
  if (!(scale > 0)) throw new Error(`PRIVACY_BENCH_SCALE must be a positive number, not ${scale}`);
  const others = scaled(1000, 10);
  const followers = scaled(500, 2);
  const followees = scaled(500, 2);
  if (followers + followees > others) throw new Error('more follows than other users');
  return {
    posts: scaled(1000, 10),
    /** Every n-th post carries a photo. */
    photoEvery: 10,
    /** The last tenth of the posts is written after the follows, so the fan-out puts it in every follower's feed. */
    recentShare: 0.1,
    others,
    postsPerOther: 10,
    followers,
    followees,
    comments: scaled(20, 2),
    likesReceived: scaled(200, 2),
  };
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const format = (n: number) => n.toLocaleString('en-US');

/**
 * Runs `work(i)` for i < count, `seedConcurrency` at once, printing progress about every quarter
 * of a big one, then waits for the change stream's consumers (`drain`), so that the fan-out has
 * put what this phase wrote into feeds before the next phase changes who follows whom.
 */
async function seedPhase(
  label: string,
  count: number,
  work: (i: number) => Promise<unknown>,
  drain: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const step = Math.max(1, Math.ceil(count / 4));
  let done = 0;
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    seedConcurrency,
    async (i) => {
      await work(i);
      done++;
      if (count >= 1000 && done % step === 0 && done < count)
        console.log(`  ${label}: ${format(done)}/${format(count)}`);
    },
  );
  const written = seconds(started);
  await drain();
  console.log(
    `  ${label}: ${format(count)} in ${written.toFixed(1)} s, their change records handled ${(seconds(started) - written).toFixed(1)} s later`,
  );
}

/** Waits until both consumers have handled every record, including the ones they wrote meanwhile. */
async function settle(
  store: SqliteItemStore,
  consumers: StreamSubscription[],
  errors: unknown[],
): Promise<void> {
  const deadline = performance.now() + 10 * 60 * 1000;
  for (;;) {
    const upTo = store.changes.latestSequence();
    await Promise.all(consumers.map((consumer) => consumer.drain()));
    if (errors.length > 0) throw new Error('a change-stream consumer failed', { cause: errors[0] });
    if (store.changes.latestSequence() === upTo) return;
    if (performance.now() > deadline) throw new Error('the change stream did not settle in 10 minutes');
  }
}

/** Every item of the SQLite table, by key: what the end states are compared on. */
function itemsOf(db: Database.Database, items: string): Map<string, string> {
  const rows = db
    .prepare<[], { pk: string; sk: string; item: string }>(`SELECT pk, sk, item FROM ${items}`)
    .all();
  return new Map(rows.map((row) => [`${row.pk}\u0000${row.sk}`, row.item]));
}

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
      .length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * The bare reference: the account's erasure as plain statements in one transaction, reading only
 * what it must to find the rows (the user's partition, the owner index, the post partitions),
 * then the user's object folders removed whole. Returns what it changed.
 */
function bareErase(db: Database.Database, items: string): { deleted: number; counters: number } {
  const user = `USER#${ownerId}`;
  const partition = db.prepare<[string], { sk: string; item: string }>(
    `SELECT sk, item FROM ${items} WHERE pk = ?`,
  );
  const owned = db.prepare<[string], { pk: string; sk: string; osk: string; item: string }>(
    `SELECT pk, sk, "GSI1_sk" AS osk, item FROM ${items} WHERE "GSI1_pk" = ?`,
  );
  const remove = db.prepare<[string, string]>(`DELETE FROM ${items} WHERE pk = ? AND sk = ?`);
  const removePartition = db.prepare<[string]>(`DELETE FROM ${items} WHERE pk = ?`);
  const removeAuthor = db.prepare<[string, string]>(
    `DELETE FROM ${items} WHERE pk = ? AND json_extract(item, '$.authorId') = ?`,
  );
  const decrement = (attribute: string) =>
    db.prepare<[string, string]>(
      `UPDATE ${items} SET item = json_set(item, '$.${attribute}', json_extract(item, '$.${attribute}') - 1) WHERE pk = ? AND sk = ?`,
    );
  const counters = {
    followingCount: decrement('followingCount'),
    followerCount: decrement('followerCount'),
    likeCount: decrement('likeCount'),
    commentCount: decrement('commentCount'),
  };
  let deleted = 0;
  let updated = 0;
  db.transaction(() => {
    const postIds: string[] = [];
    let username: unknown;
    for (const row of partition.all(user)) {
      if (row.sk === 'PROFILE') username = (JSON.parse(row.item) as { username?: unknown }).username;
      else if (row.sk.startsWith('POST#')) postIds.push(row.sk.slice('POST#'.length));
      else if (row.sk.startsWith('FOLLOWER#')) {
        const other = row.sk.slice('FOLLOWER#'.length);
        if (remove.run(`USER#${other}`, `FOLLOWING#${ownerId}`).changes > 0) {
          deleted++;
          updated += counters.followingCount.run(`USER#${other}`, 'PROFILE').changes;
        }
        deleted += removeAuthor.run(`FEED#${other}`, ownerId).changes;
      } else if (row.sk.startsWith('FOLLOWING#')) {
        const other = row.sk.slice('FOLLOWING#'.length);
        if (remove.run(`USER#${other}`, `FOLLOWER#${ownerId}`).changes > 0) {
          deleted++;
          updated += counters.followerCount.run(`USER#${other}`, 'PROFILE').changes;
        }
      }
    }
    deleted += removePartition.run(user).changes;
    if (typeof username === 'string')
      deleted += remove.run(`USERNAME#${username.toLowerCase()}`, 'USERNAME').changes;
    // Each post with its likes and comments (media items go with the owner index below).
    for (const id of postIds) deleted += removePartition.run(`POST#${id}`).changes;
    for (const row of owned.all(`OWNER#${ownerId}`)) {
      deleted += remove.run(row.pk, row.sk).changes;
      if (row.osk.startsWith('MEDIA#')) continue;
      const postId = String((JSON.parse(row.item) as { postId?: unknown }).postId);
      const counter = row.osk.startsWith('LIKE#') ? counters.likeCount : counters.commentCount;
      updated += counter.run(`POST#${postId}`, 'METADATA').changes;
    }
    deleted += removePartition.run(`FEED#${ownerId}`).changes;
    deleted += remove.run('LARGE_AUTHORS', ownerId).changes;
  })();
  return { deleted, counters: updated };
}

export async function privacyBenchmark(): Promise<void> {
  const size = sizes();
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-privacy-'));
  const dataDir = join(dir, 'data');
  const databasePath = join(dataDir, 'plaza.sqlite');
  const objectsRoot = join(dataDir, 'media');
  const table = mainTable('plaza');
  const { items } = sqliteTableNames(table);
  const db = openSqlite({ path: databasePath, synchronous });
  const store = new SqliteItemStore({
    db,
    table,
    clock: systemClock,
    meter: noMeter,
    region: 'us-west-1',
    sweepIntervalMs: 0,
  });
  // As configured in production (fsync before a put resolves); seeding writes without the syncs.
  const objects = new FsObjectStore({ root: objectsRoot });
  const seedObjects = new FsObjectStore({ root: objectsRoot, durable: false });
  const ids = nodeIds(systemClock);
  const social: SocialServices = { store, clock: systemClock, ids, settings: defaultSocialSettings };
  const privacy: PrivacyServices = {
    store,
    objects,
    // One machine without CloudFront: the media server's edge cache is empty here, so nothing to forget.
    cdn: { invalidate: async () => {} },
    clock: systemClock,
    forget: () => {},
  };

  // The two consumers the app runs on the change stream, timed while they handle records.
  const errors: unknown[] = [];
  const busy = { cascade: 0, fanOut: 0 };
  const timed = (name: keyof typeof busy, handle: (records: StreamRecord[]) => Promise<void>) => {
    return async (records: StreamRecord[]) => {
      const started = performance.now();
      try {
        await handle(records);
      } finally {
        busy[name] += performance.now() - started;
      }
    };
  };
  const onError = (error: unknown) => {
    errors.push(error);
    console.error('  consumer failed (retrying):', error);
  };
  const consumers = [
    store.changes.subscribe(
      'data-lifecycle',
      timed('cascade', (records) => cascadeDeletions(records, privacy)),
      { pollIntervalMs: 20, onError },
    ),
    store.changes.subscribe(
      'feed-fan-out',
      timed('fanOut', (records) => fanOutFeed(records, social)),
      { pollIntervalMs: 20, onError },
    ),
  ];

  try {
    // Seeding ----------------------------------------------------------------
    const drained = () => settle(store, consumers, errors);
    const seedStart = performance.now();
    console.log(
      `\nPrivacy benchmark: seeding one account (${format(size.posts)} posts, ${format(size.others * size.postsPerOther)} likes, ` +
        `${format(size.followers + size.followees)} follows) in ${dir}`,
    );
    await seedPhase(
      'other users',
      size.others,
      async (i) => {
        await createProfile({ userId: otherId(i) }, social);
        await updateProfile(otherId(i), { username: `other_${i}`, displayName: `Other ${i}` }, social);
      },
      drained,
    );
    const otherPosts: string[] = [];
    await seedPhase(
      'their posts',
      size.others * size.postsPerOther,
      async (i) => {
        const post = await createPost(
          otherId(i % size.others),
          { description: `Post ${i}: the light over the harbour at dusk, from the old pier.` },
          social,
        );
        otherPosts[i] = post.id;
      },
      drained,
    );
    await createProfile({ userId: ownerId, email: 'owner@example.com' }, social);
    await updateProfile(
      ownerId,
      { username: ownerName, displayName: 'Privacy Owner', bio: 'Photographer, traveller, coffee drinker.' },
      social,
    );
    const ownPosts: string[] = [];
    const photos: string[] = [];
    const writePost = async (i: number) => {
      const mediaKeys: string[] = [];
      if (i % size.photoEvery === 0) {
        // As createUploadUrl, the upload and processMedia leave it: the original, its variants, a READY item.
        const key = `users/${ownerId}/posts/${ids.ulid()}/original.jpg`;
        const original = await seedObjects.put(key, randomBytes(originalBytes), {
          contentType: 'image/jpeg',
        });
        const variants = [];
        for (const [name, square, bytes] of variantFiles) {
          const variant = variantKey(key, name);
          const info = await seedObjects.put(variant, randomBytes(bytes), {
            contentType: 'image/jpeg',
            metadata: { original: key },
          });
          const side = square ?? 1200;
          variants.push({
            name,
            ...(square ? { size: square } : {}),
            key: variant,
            contentType: 'image/jpeg',
            width: side,
            height: square ?? 900,
            etag: info.etag,
          });
        }
        const now = new Date().toISOString();
        await store.put({
          item: {
            ...mediaKey(key),
            ...ownedByIndex(ownerId, `MEDIA#${key}`),
            entityType: 'MEDIA',
            key,
            ownerId,
            purpose: 'POST',
            contentType: 'image/jpeg',
            contentLength: originalBytes,
            status: 'READY',
            uploaded: true,
            variants: variants as unknown as AttributeValue[],
            createdAt: now,
            updatedAt: now,
            etag: original.etag,
            width: 1600,
            height: 1200,
          },
        });
        mediaKeys.push(key);
        photos.push(key);
      }
      const post = await createPost(
        ownerId,
        {
          description: `My post ${i}: a long walk along the coast, and the light at the end of it.`,
          mediaKeys,
        },
        social,
      );
      ownPosts[i] = post.id;
    };
    const recent = Math.round(size.posts * size.recentShare);
    await seedPhase("the user's older posts", size.posts - recent, writePost, drained);
    await seedPhase('followers', size.followers, (i) => followUser(otherId(i), ownerId, social), drained);
    await seedPhase(
      'followees',
      size.followees,
      (i) => followUser(ownerId, otherId(size.followers + i), social),
      drained,
    );
    await seedPhase(
      "the user's recent posts (fanned out)",
      recent,
      (i) => writePost(size.posts - recent + i),
      drained,
    );
    await seedPhase(
      'likes given',
      otherPosts.length,
      (i) => likePost(ownerId, otherPosts[i] as string, social),
      drained,
    );
    await seedPhase(
      'likes received',
      size.likesReceived,
      (i) => likePost(otherId(i % size.others), ownPosts[(i * 7) % ownPosts.length] as string, social),
      drained,
    );
    await seedPhase(
      'comments given',
      size.comments,
      (i) =>
        addComment(
          ownerId,
          otherPosts[(i * 13) % otherPosts.length] as string,
          `Lovely light, ${i}.`,
          social,
        ),
      drained,
    );
    await seedPhase(
      'comments received',
      size.comments,
      (i) =>
        addComment(
          otherId(i % size.others),
          ownPosts[(i * 11) % ownPosts.length] as string,
          `Thanks ${i}!`,
          social,
        ),
      drained,
    );
    const count = db.prepare<[], number>(`SELECT count(*) FROM ${items}`).pluck();
    const feedEntries = db
      .prepare<[string], number>(
        `SELECT count(*) FROM ${items} WHERE pk LIKE 'FEED#%' AND json_extract(item, '$.authorId') = ?`,
      )
      .pluck();
    console.log(
      `  seeded in ${seconds(seedStart).toFixed(1)} s: ${format(count.get() as number)} items, ` +
        `${format(feedEntries.get(ownerId) as number)} feed entries of the user's posts, ` +
        `${format(photos.length)} photos (${format(countFiles(join(objectsRoot, 'objects')))} objects)`,
    );

    // The bare reference's copy of the same database and objects, taken before anything is measured.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const barePath = join(dir, 'bare', 'plaza.sqlite');
    const bareObjects = join(dir, 'bare', 'objects');
    cpSync(join(objectsRoot, 'objects'), bareObjects, { recursive: true });
    copyFileSync(databasePath, barePath);

    // Export, before the account goes -----------------------------------------
    console.log('  measuring the data export (best of 3 each)…');
    const exported = await measureExport(
      {
        store,
        objects,
        clock: systemClock,
        tmpDir: join(dataDir, 'tmp'),
        settings: defaultDataExportSettings,
      },
      ownerId,
    );

    // Account deletion: Plaza -------------------------------------------------
    console.log('  deleting the account through Plaza…');
    const itemsBefore = count.get() as number;
    busy.cascade = 0;
    busy.fanOut = 0;
    const plazaStart = performance.now();
    if (!(await deleteAccount(ownerId, { store }))) throw new Error('the account was not there to delete');
    const closed = seconds(plazaStart);
    await settle(store, consumers, errors);
    const plazaSeconds = seconds(plazaStart);
    const plazaErased = itemsBefore - (count.get() as number);
    const leftovers = db
      .prepare<[string, string], number>(`SELECT count(*) FROM ${items} WHERE item LIKE ? OR item LIKE ?`)
      .pluck()
      .get(`%${ownerId}%`, `%"${ownerName}"%`) as number;
    let objectsLeft = 0;
    for (const prefix of userObjectPrefixes(ownerId))
      objectsLeft += (await objects.list(prefix)).items.length;
    console.log(
      `  Plaza: ${format(plazaErased)} items erased in ${plazaSeconds.toFixed(2)} s (profile gone after ` +
        `${(closed * 1000).toFixed(0)} ms; cascade busy ${(busy.cascade / 1000).toFixed(1)} s, ` +
        `fan-out busy ${(busy.fanOut / 1000).toFixed(1)} s); left behind: ${leftovers} items, ${objectsLeft} objects`,
    );

    // Account deletion: bare --------------------------------------------------
    const bare = new Database(barePath);
    bare.pragma('journal_mode = WAL');
    bare.pragma(`synchronous = ${synchronous}`);
    // Every cache Plaza has or better: a page cache that holds the whole table, warmed before the clock starts.
    bare.pragma('cache_size = -524288');
    bare.prepare(`SELECT count(*), sum(length(item)), count("GSI1_pk") FROM ${items}`).get();
    bare
      .prepare(
        `SELECT count(*) FROM ${items} INDEXED BY ${sqlName(`items_${table.name}_GSI1`)} WHERE "GSI1_pk" IS NOT NULL`,
      )
      .get();
    const bareBefore = bare.prepare<[], number>(`SELECT count(*) FROM ${items}`).pluck().get() as number;
    const bareObjectsBefore = countFiles(bareObjects);
    const bareStart = performance.now();
    const bareResult = bareErase(bare, items);
    const bareTransaction = seconds(bareStart);
    await Promise.all(
      userObjectPrefixes(ownerId).map((prefix) =>
        rm(join(bareObjects, ...prefix.split('/')), { recursive: true, force: true }),
      ),
    );
    const bareSeconds = seconds(bareStart);
    const bareObjectsErased = bareObjectsBefore - countFiles(bareObjects);
    console.log(
      `  bare: ${format(bareResult.deleted)} items and ${format(bareResult.counters)} counts in one transaction ` +
        `(${bareTransaction.toFixed(2)} s), then ${format(bareObjectsErased)} objects removed: ${bareSeconds.toFixed(2)} s`,
    );

    // Both end states must agree, item by item.
    const plazaItems = itemsOf(db, items);
    const bareItems = itemsOf(bare, items);
    const differences: string[] = [];
    for (const [key, json] of plazaItems) {
      const other = bareItems.get(key);
      if (other === undefined) differences.push(`only Plaza kept ${key.replace('\u0000', ' / ')}`);
      else if (!isDeepStrictEqual(JSON.parse(json), JSON.parse(other)))
        differences.push(`${key.replace('\u0000', ' / ')}: Plaza ${json} ≠ bare ${other}`);
    }
    for (const key of bareItems.keys())
      if (!plazaItems.has(key)) differences.push(`only bare kept ${key.replace('\u0000', ' / ')}`);
    const plazaObjectsLeft = countFiles(join(objectsRoot, 'objects'));
    const bareObjectsLeft = countFiles(bareObjects);
    if (plazaObjectsLeft !== bareObjectsLeft)
      differences.push(`objects left: Plaza ${plazaObjectsLeft}, bare ${bareObjectsLeft}`);
    if (bareBefore - bareResult.deleted !== bareItems.size || plazaItems.size !== bareItems.size) {
      differences.push(`items left: Plaza ${plazaItems.size}, bare ${bareItems.size}`);
    }
    bare.close();
    if (differences.length > 0) {
      console.error(
        `  END STATES DIFFER (${differences.length}):\n    ${differences.slice(0, 20).join('\n    ')}`,
      );
      throw new Error(`Plaza's and the bare reference's end states differ in ${differences.length} places`);
    }
    console.log(
      `  end states agree: ${format(plazaItems.size)} items and ${plazaObjectsLeft} objects left in each`,
    );

    const deletion: Row[] = [
      {
        benchmark:
          `account deletion: ${format(plazaErased)} items, ${format(bareResult.counters)} counts, ` +
          `${format(bareObjectsErased)} objects (Plaza ${plazaSeconds.toFixed(1)} s, bare ${bareSeconds.toFixed(2)} s)`,
        plaza: plazaErased / plazaSeconds,
        bare: bareResult.deleted / bareSeconds,
        goal: 'reported; nothing left',
        ok: leftovers === 0 && objectsLeft === 0,
      },
    ];
    printTable(
      `Account deletion (SQLite, synchronous=${synchronous}): deleteAccount until the cascade and the fan-out drained, vs one bare transaction + fs.rm`,
      deletion,
      'items/s',
    );
    const zipMb = exported.plaza.bytes / mib;
    printTable(
      'Data export of the same account (best of 3)',
      [
        {
          benchmark: `export: ${zipMb.toFixed(1)} MB zip (Plaza ${exported.plaza.seconds.toFixed(2)} s, bare ${exported.bare.seconds.toFixed(2)} s)`,
          plaza: exported.plaza.mbPerSecond,
          bare: exported.bare.mbPerSecond,
          goal: '≥ 0.5× bare',
          ok: exported.plaza.mbPerSecond >= 0.5 * exported.bare.mbPerSecond,
        },
      ],
      'MB/s',
    );
    printTable(
      'Data export memory (the whole process)',
      [
        {
          benchmark: 'export: peak RSS',
          plaza: exported.plaza.peakRssBytes / mib,
          bare: exported.bare.peakRssBytes / mib,
          goal: '≤ bare',
          ok: exported.plaza.peakRssBytes <= exported.bare.peakRssBytes,
        },
        {
          benchmark: 'export: RSS rise while it ran',
          plaza: exported.plaza.rssGrowthBytes / mib,
          bare: exported.bare.rssGrowthBytes / mib,
          goal: '≤ bare',
          ok: exported.plaza.rssGrowthBytes <= exported.bare.rssGrowthBytes,
        },
      ],
      'MB',
    );
  } finally {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await store.close();
    await objects.close();
    await seedObjects.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
