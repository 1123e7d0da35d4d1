/**
 * Data export on each engine: a user with posts (with photos), an avatar, a story, likes,
 * comments and follows both ways asks for an export; the change-stream consumer builds the zip,
 * which holds every file with the user's data and the originals byte for byte. A redelivered
 * record changes nothing; a removed export takes its zip with it; an export that cannot be built
 * is FAILED.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { originalKey } from '../../src/domain/media/media-keys.ts';
import { mediaKey, type Purpose } from '../../src/domain/media/model.ts';
import { buildDataExports, writeDataExport } from '../../src/domain/privacy/build-data-export.ts';
import { isPlazaError } from '../../src/platform/errors.ts';
import {
  archiveKey,
  defaultDataExportSettings,
  exportKey,
  type DataExportServices,
} from '../../src/domain/privacy/data-export.ts';
import { getDataExport } from '../../src/domain/privacy/get-data-export.ts';
import { requestDataExport } from '../../src/domain/privacy/request-data-export.ts';
import { reportContent } from '../../src/domain/moderation/report-content.ts';
import { addComment } from '../../src/domain/social/add-comment.ts';
import { createPost } from '../../src/domain/social/create-post.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { createStory } from '../../src/domain/social/create-story.ts';
import { followUser } from '../../src/domain/social/follow-user.ts';
import { ownedByIndex } from '../../src/domain/social/keys.ts';
import { likePost } from '../../src/domain/social/like-post.ts';
import { defaultSocialSettings, type SocialServices } from '../../src/domain/social/model.ts';
import { updateProfile } from '../../src/domain/social/update-profile.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { Item, StreamRecord, StreamSubscription } from '../../src/ports/item-store/item-store.ts';
import { engines, type EngineHarness } from '../item-store/engines.ts';
import { readZip } from '../support/zip.ts';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The INSERT record a stream would carry for the item (to redeliver one by hand). */
function insertRecord(item: Item): StreamRecord {
  const image = marshall(item) as StreamRecord['dynamodb']['NewImage'] & object;
  return {
    eventID: randomUUID(),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-west-1',
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as StreamRecord['dynamodb']['Keys'],
      NewImage: image,
      SequenceNumber: '1',
      SizeBytes: 1,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
    },
  };
}

describe.each(engines().map((open, i) => [i === 0 ? 'sqlite' : 'dynamodb', open] as const))(
  'data export on %s',
  (engine, open) => {
    let harness: EngineHarness;
    let dir: string;
    let social: SocialServices;
    let services: DataExportServices;
    let consumer: StreamSubscription;

    beforeAll(async () => {
      harness = await open();
      dir = mkdtempSync(join(tmpdir(), 'plaza-export-test-'));
      const ids = nodeIds(systemClock);
      social = { store: harness.store, clock: systemClock, ids, settings: defaultSocialSettings };
      services = {
        store: harness.store,
        objects: new FsObjectStore({ root: join(dir, 'objects'), durable: false }),
        clock: systemClock,
        ids,
        logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
        settings: defaultDataExportSettings,
        signUrl: (key, expiresAt) => `https://media.example/${key}?Expires=${expiresAt.getTime()}`,
        tmpDir: join(dir, 'tmp'),
      };
      consumer = harness.store.changes.subscribe(
        'data-export',
        (records) => buildDataExports(records, services),
        {
          pollIntervalMs: 50,
        },
      );
    });
    afterAll(async () => {
      await consumer?.stop();
      await harness?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** An upload as the pipeline leaves it: the object stored, its media item READY. */
    async function uploaded(ownerId: string, purpose: Purpose): Promise<{ key: string; bytes: Buffer }> {
      const key = originalKey(purpose, ownerId, social.ids.ulid(), false);
      const bytes = randomBytes(20_000 + Math.floor(Math.random() * 5000));
      await services.objects.put(key, bytes, { contentType: 'image/jpeg' });
      await harness.store.put({
        item: {
          ...mediaKey(key),
          ...ownedByIndex(ownerId, `MEDIA#${key}`),
          entityType: 'MEDIA',
          key,
          ownerId,
          purpose,
          contentType: 'image/jpeg',
          contentLength: bytes.length,
          status: 'READY',
          uploaded: true,
          variants: [],
          createdAt: new Date().toISOString(),
        },
      });
      return { key, bytes };
    }

    async function person(username: string): Promise<string> {
      const id = randomUUID();
      await createProfile({ userId: id, email: `${username}@example.com` }, social);
      await updateProfile(id, { username: `${username}_${engine}_${id.slice(0, 6)}` }, social);
      return id;
    }

    it('writes every file of the user data and the originals into one zip', async () => {
      const [alice, bob, carol] = [await person('alice'), await person('bob'), await person('carol')];
      const avatar = await uploaded(alice, 'AVATAR');
      await updateProfile(
        alice,
        { displayName: 'Alice', bio: 'Photos of the bay', avatarKey: avatar.key },
        social,
      );
      const sunset = await uploaded(alice, 'POST');
      const harbour = await uploaded(alice, 'POST');
      const story = await uploaded(alice, 'STORY');
      const first = await createPost(
        alice,
        { description: 'Sunset', mediaKeys: [sunset.key, harbour.key] },
        social,
      );
      const second = await createPost(alice, { description: 'Just words "quoted" \u00e9' }, social);
      await createStory(alice, { mediaKey: story.key }, social);
      const bobs = await createPost(bob, { description: 'Bob was here' }, social);
      await likePost(alice, bobs.id, social);
      await likePost(alice, first.id, social);
      await likePost(bob, first.id, social);
      const comment = await addComment(alice, bobs.id, 'Nice one, Bob', social);
      await addComment(bob, first.id, 'Not Alice', social);
      await followUser(alice, bob, social);
      await followUser(alice, carol, social);
      await followUser(carol, alice, social);
      const reported = await reportContent(alice, { postId: bobs.id, reason: 'SPAM', note: 'ads' }, social);
      await reportContent(bob, { userId: alice, reason: 'OTHER' }, social);

      const requested = await requestDataExport(alice, services);
      expect(requested.status).toBe('PENDING');
      const ready = await until(
        () => getDataExport(alice, requested.id, services),
        (view) => view?.status !== 'PENDING',
      );
      expect(ready).toMatchObject({
        status: 'READY',
        url: expect.stringContaining(archiveKey(alice, requested.id)),
      });
      const stored = await services.objects.get(archiveKey(alice, requested.id));
      expect(stored?.info.contentType).toBe('application/zip');
      const chunks: Buffer[] = [];
      for await (const chunk of stored!.body) chunks.push(chunk as Buffer);
      const files = await readZip(Buffer.concat(chunks));
      const json = (name: string) => JSON.parse(files.get(name)?.toString('utf8') ?? 'null') as unknown;

      expect([...files.keys()].sort()).toEqual(
        [
          'profile.json',
          'posts.json',
          'comments.json',
          'likes.json',
          'reports.json',
          'following.json',
          'followers.json',
          'stories.json',
          ...[avatar, sunset, harbour, story].map(({ key }) => `media/${key}`),
        ].sort(),
      );
      expect(json('profile.json')).toMatchObject({
        id: alice,
        username: expect.stringMatching(/^alice_/),
        displayName: 'Alice',
        bio: 'Photos of the bay',
        email: 'alice@example.com',
        avatar: `media/${avatar.key}`,
        followerCount: 1,
        followingCount: 2,
        postCount: 2,
      });
      expect(json('posts.json')).toEqual([
        {
          id: first.id,
          description: 'Sunset',
          media: [`media/${sunset.key}`, `media/${harbour.key}`],
          likeCount: 2,
          commentCount: 1,
          createdAt: first.createdAt,
        },
        {
          id: second.id,
          description: 'Just words "quoted" \u00e9',
          media: [],
          likeCount: 0,
          commentCount: 0,
          createdAt: second.createdAt,
        },
      ]);
      expect(json('comments.json')).toEqual([
        { id: comment.id, postId: bobs.id, content: 'Nice one, Bob', createdAt: comment.createdAt },
      ]);
      expect((json('likes.json') as { postId: string }[]).map((like) => like.postId).sort()).toEqual(
        [bobs.id, first.id].sort(),
      );
      // Her own report, not the one about her.
      expect(json('reports.json')).toEqual([
        {
          id: reported.id,
          about: 'POST',
          postId: bobs.id,
          reason: 'SPAM',
          note: 'ads',
          createdAt: reported.createdAt,
        },
      ]);
      const following = json('following.json') as { userId: string; username: string }[];
      expect(following.map((edge) => edge.userId).sort()).toEqual([bob, carol].sort());
      expect(following.every((edge) => /^(bob|carol)_/.test(edge.username))).toBe(true);
      expect(json('followers.json')).toEqual([
        { userId: carol, username: expect.stringMatching(/^carol_/), since: expect.any(String) },
      ]);
      expect(json('stories.json')).toEqual([expect.objectContaining({ media: `media/${story.key}` })]);
      for (const { key, bytes } of [avatar, sunset, harbour, story])
        expect(files.get(`media/${key}`)?.equals(bytes), key).toBe(true);

      // A record delivered again finds the export READY and writes nothing.
      const before = await services.objects.head(archiveKey(alice, requested.id));
      const { item } = await harness.store.get(exportKey(alice, requested.id), { consistent: true });
      await buildDataExports([insertRecord({ ...item!, status: 'PENDING' })], services);
      expect(await services.objects.head(archiveKey(alice, requested.id))).toEqual(before);

      // The export's item goes (its TTL, or the account's deletion): the zip goes with it.
      await harness.store.delete({ key: exportKey(alice, requested.id) });
      await until(
        () => services.objects.head(archiveKey(alice, requested.id)),
        (info) => info === undefined,
      );
      expect(await getDataExport(alice, requested.id, services)).toBeUndefined();
    });

    it('exports an account with no data as empty lists, and marks an export it cannot build FAILED', async () => {
      const quiet = await person('quiet');
      const requested = await requestDataExport(quiet, services);
      await until(
        () => getDataExport(quiet, requested.id, services),
        (view) => view?.status === 'READY',
      );
      const stored = await services.objects.get(archiveKey(quiet, requested.id));
      const chunks: Buffer[] = [];
      for await (const chunk of stored!.body) chunks.push(chunk as Buffer);
      const files = await readZip(Buffer.concat(chunks));
      for (const name of ['posts.json', 'comments.json', 'likes.json', 'following.json', 'followers.json'])
        expect(JSON.parse(files.get(name)!.toString('utf8')), name).toEqual([]);

      // No profile: nothing to export.
      const nobody = randomUUID();
      const doomed = await requestDataExport(nobody, services);
      const failed = await until(
        () => getDataExport(nobody, doomed.id, services),
        (view) => view?.status !== 'PENDING',
      );
      expect(failed).toEqual({ id: doomed.id, status: 'FAILED', url: null, expiresAt: null });
      expect(await services.objects.head(archiveKey(nobody, doomed.id))).toBeUndefined();
    });

    it('gives up on an archive that takes longer than its build time, storing no zip', async () => {
      const busy = await person('busy');
      await uploaded(busy, 'POST');
      // A clock that moves five minutes on every reading: the build is past its 10 minutes within pages.
      let now = Date.now();
      const slow = { ...services, clock: { now: () => (now += 5 * 60_000) } };
      const exportId = social.ids.ulid();
      const error = await writeDataExport(busy, exportId, slow).catch((failure: unknown) => failure);
      expect(isPlazaError(error, 'LimitExceededException')).toBe(true);
      expect((error as Error).message).toBe('The export took longer than 10 minutes to build');
      expect(await services.objects.head(archiveKey(busy, exportId))).toBeUndefined();
      // (buildDataExports marks such an export FAILED with that message, as it does any failure above.)
    });
  },
);
