/**
 * Account deletion through each of its doors — Cognito's DeleteUser with the user's own token,
 * AdminDeleteUser signed by the back office, GraphQL's deleteMyAccount and `plaza users delete` —
 * against a running server with its embedded pool: afterwards the user cannot sign in, their
 * email is free, nothing in either table or the object store names them, media URLs handed out
 * before answer 404, cached answers are gone, and the people they followed and liked have their
 * counts back.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  AdminDeleteUserCommand,
  DeleteUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { plaza } from '../support/cli.ts';
import { adminClient, cognitoClient, signUpAndSignIn, type SignedIn } from '../support/cognito-users.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-account-deletion-'));
let app: App;
let url: string;
let cognito: CognitoIdentityProviderClient;
let clientId: string;
let n = 0;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  clientId = app.identity.pool!.clientId;
  cognito = cognitoClient(url);
});
afterAll(async () => {
  cognito?.destroy();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function gql(token: string, query: string, variables?: object): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function person(name: string): Promise<SignedIn & { email: string; password: string }> {
  const email = `${name}${++n}@example.com`;
  const password = 'correct horse battery';
  const user = await signUpAndSignIn(cognito, { clientId, dataDir: dir, email, password });
  const named = await gql(
    user.accessToken,
    `mutation { updateProfile(input: { username: "${name}${n}" }) { id } }`,
  );
  expect(named.errors).toBeUndefined();
  return { ...user, email, password };
}

/** A photo post, processed: its variants' URLs. */
async function photoPost(user: SignedIn): Promise<{ postId: string; urls: string[] }> {
  const bytes = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2a6' } })
    .jpeg()
    .toBuffer();
  const reserved = await gql(
    user.accessToken,
    'mutation($input: CreateUploadInput!) { createUploadUrl(input: $input) { key url method headers } }',
    { input: { purpose: 'POST', contentType: 'image/jpeg', contentLength: bytes.length } },
  );
  const upload = reserved.data.createUploadUrl;
  const put = await fetch(upload.url, {
    method: upload.method,
    headers: JSON.parse(upload.headers),
    body: bytes,
  });
  expect(put.status).toBe(200);
  await app.media.jobs.idle();
  const created = await gql(
    user.accessToken,
    `mutation($keys: [String!]) { createPost(input: { description: "a photo", mediaKeys: $keys }) {
      id media { status url variants { url } } } }`,
    { keys: [upload.key] },
  );
  expect(created.errors).toBeUndefined();
  const post = created.data.createPost;
  const urls = [
    post.media[0].url,
    ...post.media[0].variants.map((variant: { url: string }) => variant.url),
  ].filter(Boolean);
  expect(urls.length).toBeGreaterThan(1);
  // Served (and now held by the media server's edge cache).
  for (const mediaUrl of urls) expect((await fetch(mediaUrl)).status).toBe(200);
  return { postId: post.id, urls };
}

async function until(check: () => Promise<boolean>, what: string, leftover?: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`not within 10 s: ${what}${leftover ? `: ${leftover()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Rows in any table of the data file, and objects or folders in the media store, that name the user. */
function traces(sub: string): string[] {
  const db = new Database(app.config.db.sqlite.path, { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'items_%'",
      )
      .all();
    const rows = tables.flatMap(({ name }) =>
      db
        .prepare<[string], { pk: string; sk: string }>(`SELECT pk, sk FROM "${name}" WHERE item LIKE ?`)
        .all(`%${sub}%`)
        .map((row) => `${name}: ${row.pk} ${row.sk}`),
    );
    // Current objects only: deleted bytes stay as noncurrent versions (never served) for
    // media.noncurrentVersionDays, as S3's lifecycle rule keeps them.
    const files = (
      readdirSync(join(app.config.storage.root, 'objects'), { recursive: true }) as string[]
    ).filter((path) => path.includes(sub));
    return [...rows, ...files];
  } finally {
    db.close();
  }
}

async function counts(token: string, userId: string, postId: string) {
  const answer = await gql(
    token,
    `{ getUser(id: "${userId}") { followerCount followingCount } getPost(id: "${postId}") { likeCount commentCount } }`,
  );
  return { ...answer.data.getUser, ...answer.data.getPost };
}

describe('account deletion', () => {
  /**
   * A user with a photo post, followed by and following a friend, liking and commenting on the
   * friend's post, liked and commented on; then `remove` closes the account and every trace must go.
   */
  async function expectTotalDeletion(remove: (user: SignedIn & { email: string }) => Promise<void>) {
    const leaving = await person('leaving');
    const friend = await person('friend');
    const { postId, urls } = await photoPost(leaving);
    const friendsPost = (
      await gql(friend.accessToken, 'mutation { createPost(input: { description: "hi" }) { id } }')
    ).data.createPost.id as string;
    const before = await counts(friend.accessToken, friend.sub, friendsPost);
    for (const mutation of [
      `followUser(userId: "${friend.sub}") { id }`,
      `likePost(postId: "${friendsPost}") { id }`,
      `addComment(postId: "${friendsPost}", content: "nice") { id }`,
    ])
      expect((await gql(leaving.accessToken, `mutation { ${mutation} }`)).errors).toBeUndefined();
    for (const mutation of [
      `followUser(userId: "${leaving.sub}") { id }`,
      `likePost(postId: "${postId}") { id }`,
      `addComment(postId: "${postId}", content: "great") { id }`,
    ])
      expect((await gql(friend.accessToken, `mutation { ${mutation} }`)).errors).toBeUndefined();
    // Cached answers about the user and the post.
    expect((await gql(friend.accessToken, `{ getPost(id: "${postId}") { id } }`)).data.getPost.id).toBe(
      postId,
    );
    expect((await gql(friend.accessToken, `{ getUser(id: "${leaving.sub}") { id } }`)).data.getUser.id).toBe(
      leaving.sub,
    );
    await app.consumers.drain();

    await remove(leaving);

    await until(
      async () => traces(leaving.sub).length === 0,
      `no trace of ${leaving.sub}`,
      () => traces(leaving.sub).join('; '),
    );
    // The CLI's deletion reaches a running server's edge cache through the change stream's next poll.
    for (const mediaUrl of urls) await until(async () => (await fetch(mediaUrl)).status === 404, mediaUrl);
    const answer = await gql(
      friend.accessToken,
      `{ getPost(id: "${postId}") { id } getUser(id: "${leaving.sub}") { id } }`,
    );
    expect(answer.data).toEqual({ getPost: null, getUser: null });
    expect(await counts(friend.accessToken, friend.sub, friendsPost)).toEqual(before);
    const feed = await gql(friend.accessToken, '{ homeFeed { items { id } } }');
    expect(feed.data.homeFeed.items.map((item: { id: string }) => item.id)).not.toContain(postId);
    // No sign-in, no refresh, and the email can make a new account.
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: leaving.refreshToken },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    // The server hears of the CLI's deletion through the pool table's change stream, at its next poll.
    await until(
      async () =>
        /Unauthorized/.test((await gql(leaving.accessToken, '{ me { id } }')).errors?.[0]?.errorType ?? ''),
      'the old token refused',
    );
    const again = await cognito.send(
      new SignUpCommand({ ClientId: clientId, Username: leaving.email, Password: leaving.password }),
    );
    expect(again.UserSub).not.toBe(leaving.sub);
  }

  it("by Cognito's DeleteUser, with the user's own token", async () => {
    await expectTotalDeletion(async (user) => {
      await cognito.send(new DeleteUserCommand({ AccessToken: user.accessToken }));
    });
  });

  it('by AdminDeleteUser, signed with the admin credentials', async () => {
    const admin = adminClient(url);
    await expectTotalDeletion(async (user) => {
      await admin.send(
        new AdminDeleteUserCommand({ UserPoolId: app.identity.pool!.userPoolId, Username: user.email }),
      );
    });
    admin.destroy();
  });

  it('by the deleteMyAccount mutation', async () => {
    await expectTotalDeletion(async (user) => {
      const answer = await gql(user.accessToken, 'mutation { deleteMyAccount }');
      expect(answer).toEqual({ data: { deleteMyAccount: true } });
    });
  });

  it('by `plaza users delete <email>`, while the server runs', async () => {
    await expectTotalDeletion(async (user) => {
      const result = await plaza(['users', 'delete', user.email], { DATA_DIR: dir });
      expect(result.stderr).toContain(`deleted ${user.sub}`);
      expect(result.code).toBe(0);
    });
    const unknown = await plaza(['users', 'delete', 'nobody@example.com'], { DATA_DIR: dir });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No user with the email nobody@example.com');
  });
});
