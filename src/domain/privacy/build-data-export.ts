/**
 * The data export's builder: a change-stream consumer (the same function runs on the SQLite
 * change log in the server and, at scale, as a DynamoDB-stream Lambda).
 *
 * - INSERT of an export item: writes the user's data as one zip, stores it at
 *   `exports/<userId>/<exportId>/plaza-export.zip`, and marks the export READY (with its expiry)
 *   or FAILED.
 * - REMOVE of an export item (its TTL, or the account's deletion): removes the zip.
 *
 * Delivery is at-least-once: a redelivered INSERT finds the export no longer PENDING and does
 * nothing; deleting a zip that is gone changes nothing.
 *
 * The zip is streamed: each JSON file is written a page of the store at a time, each media file
 * straight from the object store, into a temp file that is then stored with its length (S3's
 * PutObject needs one) and removed. Nothing holds more than a page of items or one object's
 * stream at a time, whatever the size of the account.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { Item, ItemStore, StreamRecord } from '../../ports/item-store/item-store.ts';
import { newImage, oldImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { isOwnOriginal } from '../media/media-keys.ts';
import type { Purpose } from '../media/model.ts';
import { idAfter, keys, ownedByPartition, partitions, sortPrefixes } from '../social/keys.ts';
import { toProfile } from '../social/model.ts';
import {
  archiveKey,
  exportKey,
  exportSortPrefix,
  isExportItem,
  type DataExportServices,
} from './data-export.ts';

/** Items read per query: one page at a time is all that is held in memory. */
const pageSize = 500;
/** Edges and posts are read 100 at a time: one BatchGet of the profiles or posts they name. */
const batchPageSize = 100;

/** What the builder uses: no ids, and no URL signer (downloads are signed where they are asked for). */
export type DataExportBuilderServices = Pick<
  DataExportServices,
  'store' | 'objects' | 'clock' | 'logger' | 'settings' | 'tmpDir'
>;

export async function buildDataExports(
  records: StreamRecord[],
  services: DataExportBuilderServices,
): Promise<void> {
  for (const record of records) {
    // Most of the table's changes are not exports: their keys say so without decoding the images.
    if (!recordKey(record).SK.startsWith(exportSortPrefix)) continue;
    const ids = {
      eventID: record.eventID,
      sequenceNumber: record.dynamodb.SequenceNumber,
      eventName: record.eventName,
    };
    if (record.eventName === 'INSERT') {
      const item = newImage(record);
      if (isExportItem(item)) await buildOne(String(item.userId), String(item.id), services, ids);
    } else if (record.eventName === 'REMOVE') {
      const item = oldImage(record);
      if (!isExportItem(item)) continue;
      await services.objects.delete(archiveKey(String(item.userId), String(item.id)));
      services.logger.info({ ...ids, exportId: String(item.id) }, 'data export removed');
    }
  }
}

async function buildOne(
  userId: string,
  exportId: string,
  services: DataExportBuilderServices,
  ids: Record<string, string>,
): Promise<void> {
  const { store, clock, settings, logger } = services;
  const key = exportKey(userId, exportId);
  const { item } = await store.get(key, { consistent: true });
  if (item?.status !== 'PENDING') {
    logger.info({ ...ids, exportId, status: item?.status ?? 'gone' }, 'data export already handled');
    return;
  }
  const started = clock.now();
  const stillPending = [{ op: '=' as const, attribute: 'status', value: 'PENDING' }];
  let outcome: Item;
  try {
    const archive = await writeDataExport(userId, exportId, services);
    const expiresAt = clock.now() + settings.lifetimeMs;
    outcome = {
      status: 'READY',
      bytes: archive.bytes,
      files: archive.files,
      expiresAt: new Date(expiresAt).toISOString(),
      ttl: Math.ceil(expiresAt / 1000),
    };
  } catch (error) {
    logger.error({ ...ids, exportId, err: error }, 'data export failed');
    outcome = { status: 'FAILED', failure: error instanceof Error ? error.message : String(error) };
  }
  try {
    await store.update({ key, set: outcome, conditions: stillPending });
  } catch (error) {
    // Removed meanwhile (its REMOVE record, next on the stream, takes the zip away) or done by another delivery.
    if (!isPlazaError(error, 'ConditionalCheckFailedException')) throw error;
  }
  logger.info(
    { ...ids, exportId, status: outcome.status, bytes: outcome.bytes, ms: clock.now() - started },
    'data export built',
  );
}

export interface ArchiveSummary {
  /** The zip's size. */
  bytes: number;
  /** Files in the zip. */
  files: number;
}

/**
 * Writes the user's data as a zip and stores it at `archiveKey(userId, exportId)`:
 * profile.json, posts.json, comments.json, likes.json, following.json, followers.json,
 * stories.json and the originals of the user's photos and videos under media/<object key>.
 */
export async function writeDataExport(
  userId: string,
  exportId: string,
  services: Pick<DataExportServices, 'store' | 'objects' | 'clock' | 'tmpDir'> & {
    settings: Pick<DataExportServices['settings'], 'buildTimeoutMs'>;
  },
): Promise<ArchiveSummary> {
  const deadline = services.clock.now() + services.settings.buildTimeoutMs;
  const inTime = () => {
    if (services.clock.now() <= deadline) return;
    const minutes = Math.round(services.settings.buildTimeoutMs / 60_000);
    throw new PlazaError('LimitExceededException', `The export took longer than ${minutes} minutes to build`);
  };
  const base = services.tmpDir ?? tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'plaza-export-'));
  try {
    const path = join(dir, 'plaza-export.zip');
    const files = await writeZip(path, (zip) => addUserData(zip, userId, services, inTime));
    const { size } = await stat(path);
    await services.objects.put(archiveKey(userId, exportId), createReadStream(path), {
      contentType: 'application/zip',
      contentLength: size,
    });
    return { bytes: size, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A zip written to `path` entry by entry: `add` receives a writer whose `entry` resolves once the
 * zip has read the entry's stream to its end, so only one source is open at a time.
 * Resolves to the number of entries once the file is complete.
 */
export async function writeZip(
  path: string,
  add: (zip: ZipWriter) => Promise<void>,
  mtime = new Date(),
): Promise<number> {
  const zip = new ZipFile();
  const output = zip.outputStream as unknown as Readable;
  const written = pipeline(output, createWriteStream(path));
  // yazl reports a bad entry (such as a size that does not match) as an event: it fails the file.
  zip.on('error', (error: Error) => output.destroy(error));
  let failure: unknown;
  // A failed write ends every wait for an entry.
  const broken = written.then(
    () => new Promise<never>(() => {}),
    (error: unknown) => {
      failure = error;
      throw error;
    },
  );
  broken.catch(() => undefined);
  let files = 0;
  const writer: ZipWriter = {
    async entry(name, body, options) {
      if (failure) throw failure;
      zip.addReadStream(body, name, {
        mtime: options?.mtime ?? mtime,
        compress: options?.compress ?? true,
        ...(options?.size !== undefined ? { size: options.size } : {}),
      });
      files++;
      await Promise.race([finished(body), broken]);
    },
  };
  try {
    await add(writer);
    zip.end();
    await written;
  } catch (error) {
    output.destroy();
    await written.catch(() => undefined);
    throw error;
  }
  return files;
}

export interface ZipWriter {
  /** Adds one file and waits until its stream has been read into the zip. */
  entry(
    name: string,
    body: Readable,
    options?: { compress?: boolean; size?: number; mtime?: Date },
  ): Promise<void>;
}

/** A JSON array written a page at a time: `[`, the values, one per line, `]`. */
export function jsonArray<T>(pages: AsyncIterable<T[]>): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let first = true;
    yield Buffer.from('[');
    for await (const page of pages) {
      let text = '';
      for (const value of page) {
        text += `${first ? '\n' : ',\n'}  ${JSON.stringify(value)}`;
        first = false;
      }
      if (text) yield Buffer.from(text);
    }
    yield Buffer.from(first ? ']\n' : '\n]\n');
  }
  return Readable.from(chunks(), { objectMode: false });
}

async function* mapPages<T, U>(
  pages: AsyncIterable<T[]>,
  map: (page: T[]) => U[] | Promise<U[]>,
): AsyncGenerator<U[]> {
  for await (const page of pages) yield await map(page);
}

/** Where an object is in the archive. */
const archivePath = (key: string) => `media/${key}`;

/** A page source of the user's partition under a sort-key prefix, checked against the build's time. */
type PagesOf = (prefix: string, limit?: number) => AsyncIterable<Item[]>;
/** The archive path of the user's own original (noted for the archive), or undefined. */
type OwnMedia = (key: unknown, purpose: Purpose) => string | undefined;

/** posts.json: the user's posts, newest first, a BatchGet per page of their list. */
function postsJson(store: ItemStore, byPrefix: PagesOf, own: OwnMedia) {
  return jsonArray(
    mapPages(byPrefix(sortPrefixes.post, batchPageSize), async (entries) => {
      const ids = entries.map((entry) => idAfter(sortPrefixes.post, entry.SK));
      const posts = new Map((await getAll(store, ids.map(keys.post))).map((post) => [String(post.id), post]));
      return ids.flatMap((id) => {
        const post = posts.get(id);
        if (!post) return [];
        const media = Array.isArray(post.mediaKeys) ? post.mediaKeys : [];
        return [
          {
            id,
            description: String(post.description ?? ''),
            media: media.map((key) => own(key, 'POST')).filter((path) => path !== undefined),
            likeCount: Number(post.likeCount ?? 0),
            commentCount: Number(post.commentCount ?? 0),
            createdAt: String(post.createdAt),
          },
        ];
      });
    }),
  );
}

/** following.json or followers.json: the other side of each edge, with their name as it is now. */
/** The reports the user made: what they reported and why, not what moderators did with it. */
function reportsJson(reports: AsyncIterable<Item[]>) {
  return jsonArray(
    mapPages(reports, (items) =>
      items.map((item) => ({
        id: String(item.id),
        about: String(item.targetType),
        ...(item.postId ? { postId: String(item.postId) } : {}),
        ...(item.commentId ? { commentId: String(item.commentId) } : {}),
        ...(item.targetType === 'USER' ? { userId: String(item.userId) } : {}),
        reason: String(item.reason),
        note: typeof item.note === 'string' ? item.note : null,
        createdAt: String(item.createdAt),
      })),
    ),
  );
}

function edgesJson(store: ItemStore, byPrefix: PagesOf, prefix: string, other: string) {
  return jsonArray(
    mapPages(byPrefix(prefix, batchPageSize), async (items) => {
      const people = items.map((item) => ({
        userId: String(item[other] ?? idAfter(prefix, item.SK)),
        since: String(item.createdAt ?? ''),
      }));
      // Names as they are now (null for an account that is gone): one BatchGet per page.
      const profiles = await getAll(
        store,
        people.map((person) => keys.profile(person.userId)),
      );
      const names = new Map(profiles.map((item) => [String(item.id), toProfile(item).username ?? null]));
      return people.map((person) => ({ ...person, username: names.get(person.userId) ?? null }));
    }),
  );
}

/** The archive's files, in order; each JSON file is read from the store as the zip takes it. */
async function addUserData(
  zip: ZipWriter,
  userId: string,
  { store, objects, clock }: Pick<DataExportServices, 'store' | 'objects' | 'clock'>,
  /** Throws once the build has taken too long: checked at every page and every original. */
  inTime: () => void,
): Promise<void> {
  const mediaKeys = new Set<string>();
  const own = (key: unknown, purpose: Purpose): string | undefined => {
    if (typeof key !== 'string' || !isOwnOriginal(key, userId, purpose)) return undefined;
    mediaKeys.add(key);
    return archivePath(key);
  };
  const partition = partitions.user(userId);
  const timed = async function* (source: AsyncIterable<Item[]>) {
    for await (const page of source) {
      inTime();
      yield page;
    }
  };
  const byPrefix = (prefix: string, limit = pageSize) =>
    timed(pages(store, { partition, sortKey: { op: 'beginsWith', value: prefix }, limit }));
  const owned = (prefix: string) =>
    timed(
      pages(store, {
        index: 'GSI1',
        partition: ownedByPartition(userId),
        sortKey: { op: 'beginsWith', value: prefix },
        limit: pageSize,
      }),
    );

  const { item: profileItem } = await store.get(keys.profile(userId), { consistent: true });
  if (!profileItem) throw new Error(`No profile for ${userId}`);
  const profile = toProfile(profileItem);
  const profileJson = {
    id: profile.id,
    username: profile.username ?? null,
    displayName: profile.displayName ?? null,
    bio: profile.bio ?? null,
    email: profile.email ?? null,
    avatar: own(profile.avatarKey, 'AVATAR') ?? null,
    followerCount: profile.followerCount,
    followingCount: profile.followingCount,
    postCount: profile.postCount,
    createdAt: profile.createdAt,
    exportedAt: new Date(clock.now()).toISOString(),
  };
  await zip.entry('profile.json', Readable.from([Buffer.from(`${JSON.stringify(profileJson, null, 2)}\n`)]));

  await zip.entry('posts.json', postsJson(store, byPrefix, own));

  await zip.entry(
    'comments.json',
    jsonArray(
      mapPages(owned(sortPrefixes.comment), (items) =>
        items.map((item) => ({
          id: String(item.id),
          postId: String(item.postId),
          content: String(item.content),
          createdAt: String(item.createdAt),
        })),
      ),
    ),
  );

  await zip.entry(
    'likes.json',
    jsonArray(
      mapPages(owned('LIKE#'), (items) =>
        items.map((item) => ({ postId: String(item.postId), createdAt: String(item.createdAt ?? '') })),
      ),
    ),
  );

  await zip.entry('reports.json', reportsJson(owned('REPORT#')));

  await zip.entry('following.json', edgesJson(store, byPrefix, sortPrefixes.following, 'followeeId'));
  await zip.entry('followers.json', edgesJson(store, byPrefix, sortPrefixes.follower, 'followerId'));

  const now = clock.now();
  await zip.entry(
    'stories.json',
    jsonArray(
      mapPages(byPrefix(sortPrefixes.story), (items) =>
        items
          // Stories live 24 hours; one past its time waits only for its TTL.
          .filter((item) => Date.parse(String(item.expiresAt)) > now)
          .map((item) => ({
            id: String(item.id),
            media: own(item.mediaKey, 'STORY') ?? null,
            createdAt: String(item.createdAt),
            expiresAt: String(item.expiresAt),
          })),
      ),
    ),
  );

  for (const key of mediaKeys) {
    inTime();
    const object = await objects.get(key);
    // An original that is gone (not uploaded yet, or deleted meanwhile) is left out.
    if (!object) continue;
    await zip.entry(archivePath(key), object.body, {
      // Photos and videos are compressed already.
      compress: false,
      size: object.info.size,
      mtime: object.info.lastModified,
    });
  }
}
