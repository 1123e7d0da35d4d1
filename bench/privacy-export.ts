/**
 * Data export's measurement, for the privacy benchmark (`npm run bench -- privacy`): Plaza's
 * builder (domain/privacy/build-data-export.ts) against a bare reference in the same run.
 *
 * - Plaza: `writeDataExport`, what the change-stream consumer runs: every JSON file streamed a
 *   page of the store at a time into a zip on disk, the originals streamed from the object store,
 *   the zip then stored in the object store.
 * - Bare: the same reads and the same zip by the fewest steps: each list read whole into an
 *   array, `JSON.stringify`, `addBuffer` to the same zip library (yazl), the originals piped in,
 *   the file stored the same way. No paging of the output, no backpressure between the store and
 *   the zip: the shortest code, and what it costs in memory for a big account.
 *
 * Both write the same files from the same reads (laid out a little differently: Plaza's JSON has
 * one value per line), so MB/s compare like with like; peak RSS (sampled every few ms while each
 * runs; run node with --expose-gc for a collection before each) shows what streaming saves, which
 * grows with the account: lists of 10,000 items are still small beside the process itself.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { writeDataExport } from '../src/domain/privacy/build-data-export.ts';
import { archiveKey, type DataExportServices } from '../src/domain/privacy/data-export.ts';
import { ownedByPartition } from '../src/domain/social/keys.ts';
import { getAll } from '../src/ports/item-store/batch.ts';
import type { Item, ItemStore, QueryRequest } from '../src/ports/item-store/item-store.ts';
import type { ObjectStore } from '../src/ports/object-store/object-store.ts';

export interface ExportMeasurement {
  seconds: number;
  /** The zip's size. */
  bytes: number;
  mbPerSecond: number;
  /** The process's largest resident set while the export ran. */
  peakRssBytes: number;
  /** How far the resident set rose above where it was when the export started. */
  rssGrowthBytes: number;
}

export interface ExportComparison {
  plaza: ExportMeasurement;
  bare: ExportMeasurement;
}

/** What an export reads and writes: an App's `dataExport` will do. */
export type ExportBenchServices = Pick<
  DataExportServices,
  'store' | 'objects' | 'clock' | 'tmpDir' | 'settings'
>;

/**
 * Exports `userId`'s account with Plaza's builder and with the bare reference, `runs` times each
 * (alternating, best time kept), and returns both. The archives are written under `exports/`
 * with ids of their own and removed afterwards; nothing else in the store changes.
 */
export async function measureExport(
  services: ExportBenchServices,
  userId: string,
  options: { runs?: number } = {},
): Promise<ExportComparison> {
  const runs = options.runs ?? 3;
  let plaza: ExportMeasurement | undefined;
  let bare: ExportMeasurement | undefined;
  for (let run = 0; run < runs; run++) {
    const plazaRun = await measured(services.objects, `BENCHPLAZA${run}`, userId, (exportId) =>
      writeDataExport(userId, exportId, services).then((archive) => archive.bytes),
    );
    const bareRun = await measured(services.objects, `BENCHBARE${run}`, userId, (exportId) =>
      bareExport(userId, exportId, services),
    );
    if (!plaza || plazaRun.seconds < plaza.seconds) plaza = plazaRun;
    if (!bare || bareRun.seconds < bare.seconds) bare = bareRun;
  }
  return { plaza: plaza as ExportMeasurement, bare: bare as ExportMeasurement };
}

/** Times one export, sampling the resident set while it runs, and removes its archive after. */
async function measured(
  objects: ObjectStore,
  exportId: string,
  userId: string,
  work: (exportId: string) => Promise<number>,
): Promise<ExportMeasurement> {
  globalThis.gc?.();
  const startRss = process.memoryUsage.rss();
  let peak = startRss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  try {
    const bytes = await work(exportId);
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage.rss());
    return {
      seconds,
      bytes,
      mbPerSecond: bytes / 1024 ** 2 / seconds,
      peakRssBytes: peak,
      rssGrowthBytes: peak - startRss,
    };
  } finally {
    clearInterval(sampler);
    await objects.delete(archiveKey(userId, exportId));
  }
}

/** Every item of a query, in one array. */
async function everything(store: ItemStore, request: Omit<QueryRequest, 'cursor'>): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ ...request, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** The same export by the fewest steps: read each list whole, stringify it, zip it. Returns the zip's size. */
async function bareExport(userId: string, exportId: string, services: ExportBenchServices): Promise<number> {
  const { store, objects } = services;
  const user = `USER#${userId}`;
  const mine = (prefix: string) =>
    everything(store, { partition: user, sortKey: { op: 'beginsWith', value: prefix } });
  const owned = (prefix: string) =>
    everything(store, {
      index: 'GSI1',
      partition: ownedByPartition(userId),
      sortKey: { op: 'beginsWith', value: prefix },
    });
  const profile = (await store.get({ PK: user, SK: 'PROFILE' }, { consistent: true })).item ?? {};
  const postIds = (await mine('POST#')).map((entry) => String(entry.SK).slice('POST#'.length));
  const postsById = new Map(
    (
      await getAll(
        store,
        postIds.map((id) => ({ PK: `POST#${id}`, SK: 'METADATA' })),
      )
    ).map((post) => [String(post.id), post]),
  );
  const posts = postIds.flatMap((id) => {
    const post = postsById.get(id);
    return post ? [post] : [];
  });
  const comments = await owned('COMMENT#');
  const likes = await owned('LIKE#');
  const edges = async (prefix: string, other: string) => {
    const items = await mine(prefix);
    const ids = items.map((item) => String(item[other]));
    const names = new Map(
      (
        await getAll(
          store,
          ids.map((id) => ({ PK: `USER#${id}`, SK: 'PROFILE' })),
        )
      ).map((item) => [String(item.id), item.username ?? null]),
    );
    return items.map((item, i) => ({
      userId: ids[i],
      username: names.get(ids[i] as string) ?? null,
      since: item.createdAt,
    }));
  };
  const following = await edges('FOLLOWING#', 'followeeId');
  const followers = await edges('FOLLOWER#', 'followerId');
  const now = Date.now();
  const stories = (await mine('STORY#')).filter((story) => Date.parse(String(story.expiresAt)) > now);
  const mediaKeys = [
    ...new Set([
      ...(typeof profile.avatarKey === 'string' ? [profile.avatarKey] : []),
      ...posts.flatMap((post) => (Array.isArray(post.mediaKeys) ? post.mediaKeys.map(String) : [])),
      ...stories.map((story) => String(story.mediaKey)),
    ]),
  ];
  const media = (key: string) => `media/${key}`;

  const base = services.tmpDir ?? tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'plaza-bare-export-'));
  try {
    const path = join(dir, 'plaza-export.zip');
    const zip = new ZipFile();
    const written = pipeline(zip.outputStream, createWriteStream(path));
    const json = (name: string, value: unknown) => zip.addBuffer(Buffer.from(JSON.stringify(value)), name);
    json('profile.json', { ...profile, avatar: profile.avatarKey ? media(String(profile.avatarKey)) : null });
    json(
      'posts.json',
      posts.map((post) => ({
        id: post.id,
        description: post.description,
        media: (post.mediaKeys as string[]).map(media),
        likeCount: post.likeCount,
        commentCount: post.commentCount,
        createdAt: post.createdAt,
      })),
    );
    json(
      'comments.json',
      comments.map(({ id, postId, content, createdAt }) => ({ id, postId, content, createdAt })),
    );
    json(
      'likes.json',
      likes.map(({ postId, createdAt }) => ({ postId, createdAt })),
    );
    json('following.json', following);
    json('followers.json', followers);
    json(
      'stories.json',
      stories.map((story) => ({ ...story, media: media(String(story.mediaKey)) })),
    );
    // Each original is opened when the zip comes to it (a missing one is an empty file).
    for (const key of mediaKeys)
      zip.addReadStreamLazy(media(key), { compress: false }, (done) => {
        objects.get(key).then(
          (object) => done(null, object?.body ?? Readable.from([])),
          (error: unknown) => done(error, Readable.from([])),
        );
      });
    zip.end();
    await written;
    const { size } = await stat(path);
    await objects.put(archiveKey(userId, exportId), createReadStream(path), {
      contentType: 'application/zip',
      contentLength: size,
    });
    return size;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
