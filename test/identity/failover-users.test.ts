/**
 * The failover's user migration end to end (ADR 0016, README "Failing over to us-east-1"): users
 * of one embedded pool post, follow and like; the pool is exported through the Cognito API as the
 * users-export job does it; the region is lost; a second Plaza on a copy of the table (the replica)
 * has a new, empty pool, which `openUserMigration` fills from the export through the Cognito API;
 * after a password reset each user signs in with a new `sub` and GraphQL answers their own data.
 */
import {
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cognitoUserSource } from '../../src/adapters/cognito/cognito-user-source.ts';
import { createApp, type App } from '../../src/app/app.ts';
import { openUserMigration } from '../../src/app/operations.ts';
import { readCsv } from '../../src/domain/identity/csv.ts';
import { userPoolCsv } from '../../src/domain/identity/export-users.ts';
import { migrateUsers } from '../../src/domain/social/migrate-users.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { cognitoClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { latestCode } from '../support/outbox.ts';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';

async function gql(url: string, token: string, query: string, variables?: object) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  // Response shapes vary by query; the assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

const password = 'Old-passw0rd!';
async function* lines(text: string) {
  yield text;
}
const newPassword = 'New-passw0rd!';

describe('failing the user pool over', () => {
  let primary: PoolApp;
  let failover: { app: App; url: string; dir: string; userPoolId: string; clientId: string };
  let cognito: CognitoIdentityProviderClient;
  let exported: string;
  const before: Record<'alice' | 'bob', { sub: string }> = { alice: { sub: '' }, bob: { sub: '' } };
  let postId: string;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    primary = await startPoolApp('primary');
    const signUp = (name: string) =>
      signUpAndSignIn(primary.cognito, {
        clientId: primary.clientId,
        dataDir: primary.dir,
        email: `${name}@example.com`,
        password,
      });
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    before.alice.sub = alice.sub;
    before.bob.sub = bob.sub;
    postId = (
      await gql(
        primary.url,
        alice.accessToken,
        'mutation { createPost(input: { description: "before the storm" }) { id } }',
      )
    ).createPost.id;
    await gql(primary.url, bob.accessToken, 'mutation($id: ID!) { followUser(userId: $id) { id } }', {
      id: alice.sub,
    });
    await gql(primary.url, bob.accessToken, 'mutation($id: ID!) { likePost(postId: $id) { id } }', {
      id: postId,
    });
    // The weekly job's export: ListUsers through the Cognito API, into Cognito's import CSV.
    const source = cognitoUserSource({
      userPoolId: primary.userPoolId,
      region: 'us-west-1',
      client: primary.admin,
    });
    exported = '';
    for await (const chunk of userPoolCsv(source, { users: 0 })) exported += chunk;

    // The region is lost; the table's replica (a copy of the file) survives, the pool does not.
    const dir = mkdtempSync(join(tmpdir(), 'plaza-failover-'));
    await primary.app.close();
    for (const suffix of ['', '-wal', '-shm'])
      if (existsSync(join(primary.dir, `plaza.sqlite${suffix}`)))
        copyFileSync(join(primary.dir, `plaza.sqlite${suffix}`), join(dir, `plaza.sqlite${suffix}`));
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ table: { usersName: 'plaza-failover-users' } }),
    );
    const config = loadConfig({ DATA_DIR: dir, PORT: '0' }, dir);
    const app = await createApp(config, {
      logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    });
    failover = {
      app,
      url: await app.listen(),
      dir,
      userPoolId: app.identity.pool!.userPoolId,
      clientId: app.identity.pool!.clientId,
    };
    cognito = cognitoClient(failover.url);

    // The operator's step: `plaza users migrate <csv> --user-pool-id <new pool> --endpoint <url>`.
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    const migration = await openUserMigration(config, {
      userPoolId: failover.userPoolId,
      endpoint: failover.url,
    });
    try {
      const summary = await migrateUsers(readCsv(lines(exported)), migration.services);
      expect(summary).toEqual({ migrated: 2, present: 0, skipped: [] });
    } finally {
      await migration.close();
    }
  }, 60_000);

  afterAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
    process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
    if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    cognito?.destroy();
    await failover?.app.close();
    if (failover) rmSync(failover.dir, { recursive: true, force: true });
    primary.cognito.destroy();
    primary.admin.destroy();
    rmSync(primary.dir, { recursive: true, force: true });
  });

  const signIn = async (email: string, secret: string) =>
    (
      await cognito.send(
        new InitiateAuthCommand({
          ClientId: failover.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: secret },
        }),
      )
    ).AuthenticationResult!;

  const resetAndSignIn = async (email: string) => {
    await cognito.send(new ForgotPasswordCommand({ ClientId: failover.clientId, Username: email }));
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: failover.clientId,
        Username: email,
        ConfirmationCode: latestCode(failover.dir, email),
        Password: newPassword,
      }),
    );
    return signIn(email, newPassword);
  };

  it('is a new pool: the old password is unknown there, and each user resets it', async () => {
    expect(failover.userPoolId).not.toBe(primary.userPoolId);
    await expect(signIn('alice@example.com', password)).rejects.toBeInstanceOf(NotAuthorizedException);
  });

  it('after the reset, each user has a new sub and GraphQL answers their own posts, follows and likes', async () => {
    const alice = await resetAndSignIn('alice@example.com');
    const bob = await resetAndSignIn('bob@example.com');
    const aliceSub = JSON.parse(Buffer.from(alice.AccessToken!.split('.')[1]!, 'base64url').toString()).sub;
    expect(aliceSub).not.toBe(before.alice.sub);

    const me = await gql(failover.url, alice.AccessToken!, '{ me { id postCount followerCount } }');
    expect(me.me).toEqual({ id: before.alice.sub, postCount: 1, followerCount: 1 });
    const posts = await gql(
      failover.url,
      alice.IdToken!,
      '{ listPostsByUser(userId: "' + before.alice.sub + '") { items { id } } }',
    );
    expect(posts.listPostsByUser.items).toEqual([{ id: postId }]);

    const seen = await gql(
      failover.url,
      bob.AccessToken!,
      'query($id: ID!, $user: ID!) { me { id followingCount } getPost(id: $id) { viewerHasLiked likeCount } getUser(id: $user) { viewerFollows } }',
      { id: postId, user: before.alice.sub },
    );
    expect(seen).toEqual({
      me: { id: before.bob.sub, followingCount: 1 },
      getPost: { viewerHasLiked: true, likeCount: 1 },
      getUser: { viewerFollows: true },
    });
    // What a user does now lands on their old id, and no second profile was made for the new sub.
    await gql(failover.url, bob.AccessToken!, 'mutation($id: ID!) { unlikePost(postId: $id) { id } }', {
      id: postId,
    });
    const after = await gql(
      failover.url,
      alice.AccessToken!,
      'query($id: ID!, $sub: ID!) { getPost(id: $id) { likeCount } getUser(id: $sub) { id } }',
      {
        id: postId,
        sub: aliceSub,
      },
    );
    expect(after).toEqual({ getPost: { likeCount: 0 }, getUser: null });
  });

  it('runs again without making anyone twice', async () => {
    const migration = await openUserMigration(
      loadConfig({ DATA_DIR: failover.dir, PORT: '0' }, failover.dir),
      {
        userPoolId: failover.userPoolId,
        endpoint: failover.url,
      },
    );
    try {
      expect(await migrateUsers(readCsv(lines(exported)), migration.services)).toEqual({
        migrated: 0,
        present: 2,
        skipped: [],
      });
    } finally {
      await migration.close();
    }
  });
});
