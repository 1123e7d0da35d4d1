/**
 * A cascade cut short by SIGKILL completes after a restart: the consumer's checkpoint moves only
 * after a batch is handled, so the account's REMOVE record is handled again, and every step of
 * the erasure is idempotent. Afterwards nothing names the user and every counter holds.
 */
import { openSqliteStore, testTable } from '../support/sqlite-store.ts';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { sqliteTableNames } from '../../src/adapters/sqlite/sqlite-schema.ts';
import { cascadeDeletions } from '../../src/domain/privacy/cascade-deletions.ts';
import { deleteAccount } from '../../src/domain/privacy/delete-account.ts';
import { addComment } from '../../src/domain/social/add-comment.ts';
import { createPost } from '../../src/domain/social/create-post.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { followUser } from '../../src/domain/social/follow-user.ts';
import { likePost } from '../../src/domain/social/like-post.ts';
import { defaultSocialSettings, type SocialServices } from '../../src/domain/social/model.ts';
import { systemClock } from '../../src/ports/clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-erasure-crash-'));
const path = join(dir, 'plaza.sqlite');
const objectsRoot = join(dir, 'media');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function open() {
  const { db, store } = openSqliteStore(path);
  const rows = () =>
    db
      .prepare<[], { item: string }>(`SELECT item FROM ${sqliteTableNames(testTable).items}`)
      .all()
      .map((row) => JSON.parse(row.item) as Record<string, unknown>);
  return { store, rows, close: async () => (await store.close(), db.close()) };
}

/** Runs the worker until it has made `writes` writes, then kills it. */
function eraseThenKill(writes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'erasure-worker.ts'), path, objectsRoot],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let made = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      made += chunk.toString().split('\n').filter(Boolean).length;
      if (made >= writes) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(made) : reject(new Error(`the worker exited on its own: ${stderr}`)),
    );
  });
}

it('completes an account erasure killed half-way, with nothing left behind', async () => {
  const first = open();
  const social: SocialServices = {
    store: first.store,
    clock: systemClock,
    ids: nodeIds(systemClock),
    settings: defaultSocialSettings,
  };
  const leaving = randomUUID();
  const others = Array.from({ length: 60 }, () => randomUUID());
  for (const id of [leaving, ...others])
    await createProfile({ userId: id, email: `${id}@example.com` }, social);
  const theirPosts = [];
  for (const [i, other] of others.entries()) {
    await followUser(other, leaving, social);
    if (i % 2 === 0) await followUser(leaving, other, social);
    const post = await createPost(other, { description: `post ${i}` }, social);
    theirPosts.push(post.id);
    await likePost(leaving, post.id, social);
    await addComment(leaving, post.id, 'hello', social);
  }
  for (let i = 0; i < 40; i++) {
    const post = await createPost(leaving, { description: `mine ${i}` }, social);
    await likePost(others[i]!, post.id, social);
  }
  const objects = new FsObjectStore({ root: objectsRoot });
  await objects.put(`users/${leaving}/profile/avatar.jpg`, Buffer.from('jpeg'), {
    contentType: 'image/jpeg',
  });
  await objects.close();
  expect(await deleteAccount(leaving, social)).toBe(true);
  await first.close();

  const made = await eraseThenKill(4);
  expect(made).toBeGreaterThanOrEqual(4);

  const second = open();
  const names = (item: Record<string, unknown>) => JSON.stringify(item).includes(leaving);
  // Killed half-way: some of the account was erased, some was not.
  const left = second.rows().filter(names).length;
  expect(left).toBeGreaterThan(0);
  const privacy = {
    store: second.store,
    objects: new FsObjectStore({ root: objectsRoot }),
    cdn: { invalidate: async () => {} },
    clock: systemClock,
  };
  const consumer = second.store.changes.subscribe('data-lifecycle', (records) =>
    cascadeDeletions(records, privacy),
  );
  for (let round = 0; round < 3; round++) await consumer.drain();
  await consumer.stop();

  const rows = second.rows();
  expect(rows.filter(names)).toEqual([]);
  expect((await privacy.objects.list(`users/${leaving}/`)).items).toEqual([]);
  // Everyone else's counts are what they count.
  for (const other of others) {
    const profile = rows.find((row) => row.PK === `USER#${other}` && row.SK === 'PROFILE');
    const edges = (prefix: string) =>
      rows.filter((row) => row.PK === `USER#${other}` && String(row.SK).startsWith(prefix)).length;
    expect(profile?.followerCount).toBe(edges('FOLLOWER#'));
    expect(profile?.followingCount).toBe(edges('FOLLOWING#'));
  }
  for (const postId of theirPosts) {
    const post = rows.find((row) => row.PK === `POST#${postId}` && row.SK === 'METADATA');
    expect([post?.likeCount, post?.commentCount]).toEqual([0, 0]);
  }
  await privacy.objects.close();
  await second.close();
});
