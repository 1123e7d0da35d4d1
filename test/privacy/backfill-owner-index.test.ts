/**
 * Data from before the owner index: likes, comments and media written without their
 * `OWNER#` entries get them from the backfill, once, and an account's erasure then removes
 * them like any other (model-checked on each engine).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { mediaKey } from '../../src/domain/media/model.ts';
import { backfillOwnerIndex } from '../../src/domain/privacy/backfill-owner-index.ts';
import { cascadeDeletions } from '../../src/domain/privacy/cascade-deletions.ts';
import { deleteAccount } from '../../src/domain/privacy/delete-account.ts';
import { addComment } from '../../src/domain/social/add-comment.ts';
import { createPost } from '../../src/domain/social/create-post.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { ownedByPartition } from '../../src/domain/social/keys.ts';
import { likePost } from '../../src/domain/social/like-post.ts';
import { defaultSocialSettings, type SocialServices } from '../../src/domain/social/model.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { Item } from '../../src/ports/item-store/item-store.ts';
import { engines, type EngineHarness } from '../item-store/engines.ts';

describe.each(engines().map((open, i) => [i === 0 ? 'sqlite' : 'dynamodb', open] as const))(
  'the owner index backfill on %s',
  (_engine, open) => {
    let harness: EngineHarness;
    let dir: string;
    let social: SocialServices;
    beforeAll(async () => {
      harness = await open();
      dir = mkdtempSync(join(tmpdir(), 'plaza-backfill-'));
      social = {
        store: harness.store,
        clock: systemClock,
        ids: nodeIds(systemClock),
        settings: defaultSocialSettings,
      };
    });
    afterAll(async () => {
      await harness?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Writes the item again as an earlier version wrote it: without its owner-index entry. */
    async function asBefore(key: { PK: string; SK: string }): Promise<void> {
      const { item } = await harness.store.get(key, { consistent: true });
      const { GSI1PK: _pk, GSI1SK: _sk, ...before } = item as Item;
      await harness.store.put({ item: before });
    }

    const owned = async (userId: string) =>
      (await harness.store.query({ index: 'GSI1', partition: ownedByPartition(userId) })).items.map((item) =>
        String(item.GSI1SK),
      );

    it("indexes earlier likes, comments and media once; the account's erasure then finds them", async () => {
      const [leaving, other] = [randomUUID(), randomUUID()];
      for (const id of [leaving, other])
        await createProfile({ userId: id, email: `${id}@example.com` }, social);
      const photo = `users/${leaving}/posts/${social.ids.ulid()}/original.jpg`;
      await harness.store.put({
        item: {
          ...mediaKey(photo),
          key: photo,
          ownerId: leaving,
          status: 'READY',
          uploaded: true,
          variants: [],
        },
      });
      const objects = new FsObjectStore({ root: dir, durable: false });
      await objects.put(photo, Buffer.from('jpeg'), { contentType: 'image/jpeg' });
      await harness.store.update({
        key: { PK: `USER#${leaving}`, SK: 'PROFILE' },
        set: { avatarKey: photo },
      });
      const post = await createPost(other, { description: 'theirs' }, social);
      await likePost(leaving, post.id, social);
      const comment = await addComment(leaving, post.id, 'hi', social);
      await asBefore({ PK: `POST#${post.id}`, SK: `LIKE#USER#${leaving}` });
      await asBefore({ PK: `POST#${post.id}`, SK: `COMMENT#${comment.id}` });
      expect(await owned(leaving)).toEqual([]);

      expect(await backfillOwnerIndex(social)).toBeGreaterThanOrEqual(3);
      expect((await owned(leaving)).sort()).toEqual(
        [`COMMENT#${post.id}#${comment.id}`, `LIKE#${post.id}`, `MEDIA#${photo}`].sort(),
      );
      // Once: a second run finds nothing more of this user's to index.
      await backfillOwnerIndex(social);
      expect(await owned(leaving)).toHaveLength(3);

      const consumer = harness.store.changes.subscribe(
        'erasure',
        (records) =>
          cascadeDeletions(records, {
            store: harness.store,
            objects,
            clock: systemClock,
            cdn: { invalidate: async () => {} },
          }),
        { pollIntervalMs: 50 },
      );
      await deleteAccount(leaving, social);
      for (let round = 0; round < 3; round++) await consumer.drain();
      await consumer.stop();
      const left = (await harness.walk()).filter((item) => JSON.stringify(item).includes(leaving));
      expect(left).toEqual([]);
      const { item: theirs } = await harness.store.get({ PK: `POST#${post.id}`, SK: 'METADATA' });
      expect([theirs?.likeCount, theirs?.commentCount]).toEqual([0, 0]);
      expect((await objects.list(`users/${leaving}/`)).items).toEqual([]);
      await objects.close();
    });
  },
);
