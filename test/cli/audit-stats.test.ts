/**
 * The audit log and the analytics end to end (ADR 0010): sign-ins, a lockout, admin operations
 * and a deletion made through the Cognito API (AWS SDK) and GraphQL reach `plaza audit` by the
 * change streams; `plaza audit verify` passes, then names the entry changed or removed behind
 * the log's back; `plaza stats` counts the day's activity and the feed's latency.
 */
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  ChangePasswordCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/ports/audit-log.ts';
import { plaza } from '../support/cli.ts';
import { signUpAndSignIn, type SignedIn } from '../support/cognito-users.ts';
import { errorName, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
let ada: SignedIn;
let env: Record<string, string>;
const password = 'correct horse battery';

async function gql(token: string, query: string) {
  const response = await fetch(`${pool.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: Record<string, { id: string }>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

const signIn = (email: string, attempt: string) =>
  pool.cognito.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: attempt },
    }),
  );

beforeAll(async () => {
  pool = await startPoolApp('audit');
  env = { DATA_DIR: pool.dir };
  ada = await signUpAndSignIn(pool.cognito, {
    clientId: pool.clientId,
    dataDir: pool.dir,
    email: 'ada@example.com',
    password,
  });
  for (let i = 0; i < 5; i++) await errorName(signIn('ada@example.com', 'wrong password'));
  expect(await errorName(signIn('ada@example.com', password))).toBe('NotAuthorizedException');
  await pool.admin.send(
    new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: 'ada@example.com' }),
  );
  await pool.admin.send(new AdminEnableUserCommand({ UserPoolId: pool.userPoolId, Username: ada.sub }));

  const bob = await signUpAndSignIn(pool.cognito, {
    clientId: pool.clientId,
    dataDir: pool.dir,
    email: 'bob@example.com',
    password,
  });
  const { createPost } = await gql(
    bob.accessToken,
    `mutation { createPost(input: { description: "hi" }) { id } }`,
  );
  await gql(bob.accessToken, `mutation { likePost(postId: "${createPost!.id}") { id } }`);
  await gql(bob.accessToken, `mutation { deletePost(id: "${createPost!.id}") { id } }`);
  for (let i = 0; i < 3; i++) await gql(bob.accessToken, `{ homeFeed { items { id } } }`);
  // Last: a new password ends Bob's sessions.
  await pool.cognito.send(
    new ChangePasswordCommand({
      AccessToken: bob.accessToken,
      PreviousPassword: password,
      ProposedPassword: 'another horse battery',
    }),
  );

  await pool.app.consumers.drain();
  await pool.app.insights.poolConsumers.drain();
  await pool.app.insights.sampleFeedLatency();
}, 120_000);

afterAll(async () => {
  await pool.close();
});

function entriesOf(stdout: string): AuditEntry[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditEntry);
}

describe('plaza audit', { timeout: 90_000 }, () => {
  it("lists a user's sign-ins, lockout and admin operations, oldest first", async () => {
    const result = await plaza(['audit', '--user', ada.sub, '--json'], env);
    expect(result.code).toBe(0);
    const entries = entriesOf(result.stdout);
    const actions = entries.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'user.created',
        'sign-up',
        'status.changed',
        'sign-in.success',
        'sign-in.failure',
        'sign-in.lockout',
        'AdminDisableUser',
        'user.disabled',
        'AdminEnableUser',
        'user.enabled',
      ]),
    );
    expect(actions.filter((action) => action === 'sign-in.failure')).toHaveLength(5);
    expect(entries.every((entry) => entry.userId === ada.sub)).toBe(true);
    expect(entries.find((entry) => entry.action === 'AdminDisableUser')).toMatchObject({
      kind: 'admin',
      actor: 'admin:local',
      detail: { username: 'ada@example.com' },
    });
    expect(actions.indexOf('sign-in.lockout')).toBeGreaterThan(actions.indexOf('sign-in.failure'));
    const seqs = entries.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('prints a table of every user, with password changes and deletions, and filters by time', async () => {
    const result = await plaza(['audit'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^#\s+Time\s+Kind\s+Action\s+User\s+Actor\s+Detail$/);
    expect(result.stdout).toMatch(/^\d+\s+\S+Z\s+account\s+password\.changed\s/m);
    expect(result.stdout).toMatch(/^\d+\s+\S+Z\s+deletion\s+post\.deleted\s+\S+\s+-\s+postId=/m);
    expect(result.stderr).toMatch(/plaza: \d+ audit entries/);

    const future = await plaza(['audit', '--since', '2099-01-01T00:00:00Z', '--json'], env);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe('');
  });

  it('refuses a time without its zone', async () => {
    const result = await plaza(['audit', '--since', 'yesterday'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('expected an ISO 8601 time');
  });
});

describe('plaza stats', { timeout: 90_000 }, () => {
  it("counts today's activity and the feed's latency", async () => {
    const result = await plaza(['stats', '--days', '2', '--json'], env);
    expect(result.code).toBe(0);
    const days = JSON.parse(result.stdout) as Record<string, number | string | null>[];
    expect(days).toHaveLength(2);
    expect(days[1]).toMatchObject({
      day: new Date().toISOString().slice(0, 10),
      activeUsers: 2,
      signUps: 2,
      posts: 1,
      likes: 1,
      comments: 0,
      follows: 0,
      feedRequests: 3,
    });
    expect(days[1]!.feedP50Ms).toBeGreaterThan(0);
    expect(Number(days[1]!.feedP99Ms)).toBeGreaterThanOrEqual(Number(days[1]!.feedP50Ms));
    expect(days[0]).toMatchObject({ posts: 0, feedP50Ms: null });
  });

  it('prints a table, and refuses a bad --days', async () => {
    const table = await plaza(['stats'], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')).toHaveLength(9);
    expect(table.stdout).toMatch(/^Day\s+Active users\s+Sign-ups\s+Posts\s+Likes/);
    const bad = await plaza(['stats', '--days', '0'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected a number of days');
  });
});

describe('plaza audit verify', { timeout: 90_000 }, () => {
  const tamper = (sql: string) => {
    const db = new Database(join(pool.dir, 'audit.db'));
    try {
      db.exec(
        `DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${sql}`,
      );
    } finally {
      db.close();
    }
  };

  it('passes an untouched log, then names the entry changed, or removed, behind its back', async () => {
    const intact = await plaza(['audit', 'verify'], env);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/the audit log is intact: \d+ entries, head [0-9a-f]{64}/);

    tamper(`UPDATE audit_log SET entry = replace(entry, 'sign-in.failure', 'sign-in.success') WHERE seq = (
      SELECT min(seq) FROM audit_log WHERE entry LIKE '%sign-in.failure%')`);
    const changed = await plaza(['audit', 'verify'], env);
    expect(changed.code).toBe(1);
    const [, seq] = /broken at entry (\d+): entry \d+ was changed/.exec(changed.stderr) ?? [];
    expect(Number(seq)).toBeGreaterThan(1);

    tamper(`DELETE FROM audit_log WHERE seq = 2`);
    const removed = await plaza(['audit', 'verify'], env);
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain('broken at entry 2: entry 2 is missing');
  });

  it('says so when there is no log', async () => {
    const result = await plaza(['audit', 'verify'], { DATA_DIR: join(pool.dir, 'nowhere') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No audit log at');
  });
});
