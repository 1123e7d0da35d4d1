/**
 * Deletion, model-checked on each engine: a small world of users, posts with photos, likes,
 * comments, follows, stories and feeds is built through the domain; after each deletion the
 * whole table (rows and index entries) and the object store are walked, and
 *   - nothing that names the deleted data remains (no item, index entry or object),
 *   - everything that does not name it is still there,
 *   - every counter still equals what it counts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { HmacUrlSigner } from '../../src/adapters/hmac/hmac-url-signer.ts';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { sharpImageProcessor } from '../../src/adapters/sharp/sharp-image-processor.ts';
import type { SqliteItemStore } from '../../src/adapters/sqlite/sqlite-item-store.ts';
import { createUploadUrl } from '../../src/domain/media/create-upload-url.ts';
import { defaultMediaSettings, type MediaServices, type Purpose } from '../../src/domain/media/model.ts';
import { processMedia } from '../../src/domain/media/process-media.ts';
import { receiveUpload } from '../../src/domain/media/receive-upload.ts';
import { cascadeDeletions } from '../../src/domain/privacy/cascade-deletions.ts';
import { deleteAccount } from '../../src/domain/privacy/delete-account.ts';
import type { PrivacyServices } from '../../src/domain/privacy/model.ts';
import { reportContent } from '../../src/domain/moderation/report-content.ts';
import { addComment } from '../../src/domain/social/add-comment.ts';
import { blockUser } from '../../src/domain/social/block-user.ts';
import { createPost } from '../../src/domain/social/create-post.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { createStory } from '../../src/domain/social/create-story.ts';
import { deleteComment } from '../../src/domain/social/delete-comment.ts';
import { deletePost } from '../../src/domain/social/delete-post.ts';
import { fanOutFeed } from '../../src/domain/social/feed-fan-out.ts';
import { followUser } from '../../src/domain/social/follow-user.ts';
import { likePost, unlikePost } from '../../src/domain/social/like-post.ts';
import { muteUser } from '../../src/domain/social/mute-user.ts';
import { defaultSocialSettings, type SocialServices } from '../../src/domain/social/model.ts';
import { keys as socialKeys } from '../../src/domain/social/keys.ts';
import { updateProfile } from '../../src/domain/social/update-profile.ts';
import { isPlazaError } from '../../src/platform/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { Item, StreamSubscription } from '../../src/ports/item-store/item-store.ts';
import { engines, type EngineHarness } from '../item-store/engines.ts';

const photo = sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } })
  .jpeg()
  .toBuffer();

describe.each(engines().map((open, i) => [i === 0 ? 'sqlite' : 'dynamodb', open] as const))(
  'erasure on %s',
  (engine, open) => {
    let harness: EngineHarness;
    let dir: string;
    let social: SocialServices;
    let media: MediaServices;
    let privacy: PrivacyServices;
    let consumers: StreamSubscription[];
    const invalidated: string[] = [];
    const forgotten: string[] = [];

    beforeAll(async () => {
      harness = await open();
      dir = mkdtempSync(join(tmpdir(), 'plaza-erasure-'));
      const objects = new FsObjectStore({ root: dir, durable: false });
      const clock = systemClock;
      const ids = nodeIds(clock);
      social = {
        store: harness.store,
        clock,
        ids,
        settings: { ...defaultSocialSettings, storyLifetimeMs: 1000 },
      };
      media = {
        store: harness.store,
        objects,
        signer: new HmacUrlSigner({ secret: randomBytes(32), keyId: 't', baseUrl: () => 'http://x' }),
        images: sharpImageProcessor(),
        clock,
        ids,
        logger: createLogger({ level: 'silent' }),
        settings: defaultMediaSettings,
      };
      privacy = {
        store: harness.store,
        objects,
        clock,
        cdn: { invalidate: async (keys) => void invalidated.push(...keys) },
        forget: (tags) => void forgotten.push(...tags),
      };
      consumers = [
        harness.store.changes.subscribe('feed', (records) => fanOutFeed(records, social), {
          pollIntervalMs: 50,
        }),
        harness.store.changes.subscribe('erasure', (records) => cascadeDeletions(records, privacy), {
          pollIntervalMs: 50,
        }),
      ];
    });
    afterAll(async () => {
      for (const consumer of consumers ?? []) await consumer.stop();
      await harness?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Both consumers caught up, twice: a cascade's own deletions are records too. */
    async function settle(): Promise<void> {
      for (let round = 0; round < 3; round++) for (const consumer of consumers) await consumer.drain();
    }

    async function upload(userId: string, purpose: Purpose): Promise<string> {
      const bytes = await photo;
      const { key } = await createUploadUrl(
        userId,
        { purpose, contentType: 'image/jpeg', contentLength: bytes.length },
        media,
      );
      await receiveUpload(
        { key, contentType: 'image/jpeg', contentLength: bytes.length, expiresAt: new Date() } as never,
        Readable.from(bytes),
        media,
        () => {},
      );
      expect(await processMedia(key, media)).toBe('READY');
      return key;
    }

    async function objectKeys(): Promise<string[]> {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await privacy.objects.list('', { limit: 1000, ...(cursor ? { cursor } : {}) });
        keys.push(...page.items.map((item) => item.key));
        cursor = page.cursor;
      } while (cursor);
      return keys;
    }

    const keyOf = (item: Item) => `${String(item.PK)}|${String(item.SK)}`;
    const names = (item: Item, ids: string[]) => {
      const text = JSON.stringify(item);
      return ids.some((id) => text.includes(id));
    };

    /** The world's state, read around the port. */
    async function snapshot() {
      const all = await harness.walk();
      // The DynamoDB walk repeats items for each index they are in.
      return { items: new Map(all.map((item) => [keyOf(item), item])), objects: await objectKeys() };
    }

    /** Every counter equals what it counts (profiles: follows and posts; posts: likes and comments). */
    function expectCountsHold(items: Map<string, Item>): void {
      const count = (pk: string, prefix: string) =>
        [...items.values()].filter((item) => item.PK === pk && String(item.SK).startsWith(prefix)).length;
      for (const item of items.values()) {
        if (item.SK === 'PROFILE') {
          const pk = String(item.PK);
          expect({ id: item.id, followers: item.followerCount }).toEqual({
            id: item.id,
            followers: count(pk, 'FOLLOWER#'),
          });
          expect({ id: item.id, following: item.followingCount }).toEqual({
            id: item.id,
            following: count(pk, 'FOLLOWING#'),
          });
          expect({ id: item.id, posts: item.postCount }).toEqual({ id: item.id, posts: count(pk, 'POST#') });
        }
        if (String(item.PK).startsWith('POST#') && item.SK === 'METADATA') {
          const pk = String(item.PK);
          expect({ id: item.id, likes: item.likeCount }).toEqual({ id: item.id, likes: count(pk, 'LIKE#') });
          expect({ id: item.id, comments: item.commentCount }).toEqual({
            id: item.id,
            comments: count(pk, 'COMMENT#'),
          });
        }
      }
    }

    /**
     * Runs a deletion and checks the model: afterwards nothing names `gone` (ids, keys), and
     * everything else that was there is still there.
     */
    async function expectErased(gone: () => string[], deletion: () => Promise<unknown>): Promise<void> {
      await settle();
      const before = await snapshot();
      await deletion();
      await settle();
      const after = await snapshot();
      const ids = gone();
      const left = [...after.items.values()].filter((item) => names(item, ids));
      expect(left).toEqual([]);
      expect(after.objects.filter((key) => ids.some((id) => key.includes(id)))).toEqual([]);
      const kept = [...before.items.values()].filter((item) => !names(item, ids)).map(keyOf);
      // Feed entries of others' posts are the fan-out's: only the deleted data's may go.
      expect(kept.filter((key) => !after.items.has(key))).toEqual([]);
      expect(
        before.objects.filter((key) => !ids.some((id) => key.includes(id)) && !after.objects.includes(key)),
      ).toEqual([]);
      expectCountsHold(after.items);
    }

    async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(isPlazaError(error) ? error.code : String(error)).toBe(code);
    }

    async function world() {
      const [alice, bob, carol, dave] = Array.from({ length: 4 }, () => randomUUID());
      for (const [i, id] of [alice!, bob!, carol!, dave!].entries()) {
        await createProfile({ userId: id, email: `${id}@example.com` }, social);
        await updateProfile(id, { username: `u${i}_${id.slice(0, 8)}` }, social);
      }
      await followUser(alice!, bob!, social);
      await followUser(alice!, carol!, social);
      await followUser(bob!, alice!, social);
      await followUser(dave!, alice!, social);
      const withPhoto = await createPost(
        alice!,
        { description: 'with a photo', mediaKeys: [await upload(alice!, 'POST')] },
        social,
      );
      const plain = await createPost(alice!, { description: 'words only' }, social);
      const bobs = await createPost(
        bob!,
        { description: "bob's", mediaKeys: [await upload(bob!, 'POST')] },
        social,
      );
      const carols = await createPost(carol!, { description: "carol's" }, social);
      await likePost(bob!, withPhoto.id, social);
      await likePost(alice!, bobs.id, social);
      await likePost(alice!, carols.id, social);
      await likePost(alice!, plain.id, social);
      const carolsComment = await addComment(carol!, withPhoto.id, 'nice', social);
      const alicesComment = await addComment(alice!, bobs.id, 'thanks', social);
      await addComment(alice!, plain.id, 'me again', social);
      const avatar = await upload(alice!, 'AVATAR');
      await updateProfile(alice!, { avatarKey: avatar }, social);
      const unused = await upload(alice!, 'POST');
      // Blocks and mutes both ways: each is an item in each user's partition, all naming alice.
      await blockUser(alice!, carol!, social);
      await blockUser(dave!, alice!, social);
      await muteUser(alice!, bob!, social);
      await muteUser(bob!, alice!, social);
      // Reports by and against alice: each names her.
      await reportContent(alice!, { userId: carol!, reason: 'SPAM' }, social);
      await reportContent(bob!, { userId: alice!, reason: 'HARASSMENT' }, social);
      await settle();
      return {
        alice: alice!,
        bob: bob!,
        carol: carol!,
        dave: dave!,
        withPhoto,
        plain,
        bobs,
        carols,
        carolsComment,
        alicesComment,
        unused,
      };
    }

    it('deletePost: the post, its likes, comments, media, feed entries and cached answers', async () => {
      const w = await world();
      await expectCode(deletePost(w.bob, w.withPhoto.id, social), 'Unauthorized');
      await expectErased(
        () => [w.withPhoto.id, w.carolsComment.id, w.withPhoto.mediaKeys[0]!.split('/')[3]!],
        () => deletePost(w.alice, w.withPhoto.id, social),
      );
      expect(invalidated).toContain(`users/${w.alice}/posts/${w.withPhoto.mediaKeys[0]!.split('/')[3]}/*`);
      expect(forgotten).toContain(`Post:${w.withPhoto.id}`);
      // Deleting twice: no error, and nothing else goes.
      await expectErased(
        () => [w.withPhoto.id],
        () => deletePost(w.alice, w.withPhoto.id, social).catch(() => undefined),
      );
    });

    it('deleteComment and unlikePost: the item, its owner-index entry and the count', async () => {
      const w = await world();
      await expectCode(deleteComment(w.carol, w.bobs.id, w.alicesComment.id, social), 'Unauthorized');
      await expectErased(
        () => [w.alicesComment.id],
        () => deleteComment(w.alice, w.bobs.id, w.alicesComment.id, social),
      );
      await expectErased(
        () => [`LIKE#${w.carols.id}`],
        () => unlikePost(w.alice, w.carols.id, social),
      );
    });

    it('story expiry: the story and its media', async () => {
      const w = await world();
      const key = await upload(w.alice, 'STORY');
      const story = await createStory(w.alice, { mediaKey: key }, social);
      await expectErased(
        () => [story.id],
        async () => {
          if (engine === 'sqlite') {
            // The TTL sweep, as in production; DynamoDB Local never runs TTL, so there the deletion stands in for it.
            await new Promise((resolve) => setTimeout(resolve, 2100));
            expect((harness.store as SqliteItemStore).sweepExpired()).toBeGreaterThan(0);
          } else {
            await harness.store.delete({ key: { PK: `USER#${w.alice}`, SK: `STORY#${story.id}` } });
          }
        },
      );
    });

    it('account deletion: everything the user made, follows both ways, and others’ counts', async () => {
      const w = await world();
      const gone = () => [
        w.alice,
        w.withPhoto.id,
        w.plain.id,
        w.carolsComment.id,
        w.alicesComment.id,
        w.unused.split('/')[3]!,
      ];
      const hiddenCounts = async () =>
        Promise.all(
          [w.bob, w.carol, w.dave].map(
            async (id) => (await social.store.get(socialKeys.profile(id))).item?.hiddenCount,
          ),
        );
      // bob mutes alice, alice blocks carol, dave blocks alice: one hiding item each (relations.ts).
      expect(await hiddenCounts()).toEqual([1, 1, 1]);
      await expectErased(gone, async () => {
        expect(await deleteAccount(w.alice, social)).toBe(true);
      });
      expect(await hiddenCounts()).toEqual([0, 0, 0]);
      expect(invalidated).toEqual(expect.arrayContaining([`users/${w.alice}/*`, `stories/${w.alice}/*`]));
      // Three paths for the whole account, none per photo (CloudFront allows 15 wildcards in progress).
      expect(invalidated.filter((key) => key.startsWith(`users/${w.alice}/`))).toEqual([
        `users/${w.alice}/*`,
      ]);
      expect(forgotten).toContain(`User:${w.alice}`);
      // Deleting twice changes nothing more.
      await expectErased(gone, async () => {
        expect(await deleteAccount(w.alice, social)).toBe(false);
      });
    });
  },
);
