/**
 * The social domain on a real store for the tests beside its use cases: a SQLite
 * file in a temporary folder, a manual clock, and helpers that make users and
 * uploads the way the app would (profiles through createProfile, media items as
 * createUploadUrl and the upload route leave them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { mediaKey, type Purpose } from '../../src/domain/media/model.ts';
import { originalKey } from '../../src/domain/media/media-keys.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { fanOutFeed } from '../../src/domain/social/feed-fan-out.ts';
import {
  defaultSocialSettings,
  type SocialServices,
  type SocialSettings,
} from '../../src/domain/social/model.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import type { StreamRecord } from '../../src/ports/item-store/item-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

export interface SocialWorld {
  social: SocialServices;
  clock: ManualClock;
  /** A user with a profile; the id is a Cognito-like sub derived from the name. */
  user(name: string): Promise<string>;
  /** An upload of the user's that has arrived (uploaded, READY), as a post, story or avatar may use. */
  upload(
    userId: string,
    purpose: Purpose,
    options?: { uploaded?: boolean; failed?: boolean },
  ): Promise<string>;
  /** Runs the feed fan-out over every change written so far, as the stream consumer would. */
  fanOut(): Promise<void>;
  /** Every change written so far (read once per call, from the start). */
  changes(): Promise<StreamRecord[]>;
  close(): Promise<void>;
}

let consumers = 0;

export function socialWorld(settings: Partial<SocialSettings> = {}): SocialWorld {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-social-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const { db, store } = openSqliteStore(join(dir, 'plaza.db'), { clock });
  const social: SocialServices = {
    store,
    clock,
    ids: nodeIds(clock),
    settings: { ...defaultSocialSettings, ...settings },
  };
  return {
    social,
    clock,
    async user(name) {
      const hex = Buffer.from(name).toString('hex').padEnd(12, '0').slice(0, 12);
      const userId = `00000000-0000-4000-8000-${hex}`;
      await createProfile({ userId, email: `${name}@example.com` }, social);
      return userId;
    },
    async upload(userId, purpose, options = {}) {
      const key = originalKey(purpose, userId, social.ids.ulid(), false);
      await store.put({
        item: {
          ...mediaKey(key),
          key,
          ownerId: userId,
          purpose,
          contentType: 'image/jpeg',
          contentLength: 1000,
          status: options.failed ? 'FAILED' : 'READY',
          uploaded: options.uploaded ?? true,
          ...(options.failed ? { failure: 'not an image' } : {}),
          variants: [],
          createdAt: new Date(clock.now()).toISOString(),
        },
      });
      return key;
    },
    async fanOut() {
      // The consumer resumes from its checkpoint, so each call handles only what is new.
      const reader = store.changes.subscribe('feed-fan-out', (records) => fanOutFeed(records, social));
      await reader.drain();
      await reader.stop();
    },
    async changes() {
      const records: StreamRecord[] = [];
      const reader = store.changes.subscribe(`changes-${++consumers}`, async (batch) => {
        records.push(...batch);
      });
      await reader.drain();
      await reader.stop();
      return records;
    },
    async close() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
