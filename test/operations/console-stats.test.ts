/**
 * The operator console's daily analytics over HTTP (`GET /admin/stats?days=N`): for the moderators
 * group only, the same days as `plaza stats --json` prints on the same data directory, and a clear
 * 400 for a number of days the CLI would refuse too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plaza } from '../support/cli.ts';
import { poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
let moderator: string;
let member: string;

async function gql(token: string, query: string, variables?: object) {
  const response = await fetch(`${pool.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: Record<string, { id: string }>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function stats(query: string, token: string | null = moderator) {
  const response = await fetch(`${pool.url}/admin/stats${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  // The body's shape is what the assertions check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  pool = await startPoolApp('console-stats');
  moderator = (await poolUser(pool, 'stats-mod@example.com', { groups: ['moderators'] })).accessToken;
  const reader = await poolUser(pool, 'stats-reader@example.com');
  member = reader.accessToken;
  const author = await poolUser(pool, 'stats-author@example.com');
  const create = 'mutation($d: String) { createPost(input: { description: $d }) { id } }';
  const first = (await gql(author.accessToken, create, { d: 'first' })).createPost!.id;
  await gql(author.accessToken, create, { d: 'second' });
  await gql(member, 'mutation($p: ID!) { likePost(postId: $p) { id } }', { p: first });
  await gql(member, 'mutation($p: ID!) { addComment(postId: $p, content: "nice") { id } }', { p: first });
  await gql(member, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: author.sub });
  for (let i = 0; i < 4; i++) await gql(member, '{ homeFeed { items { id } } }');
  await pool.app.consumers.drain();
  await pool.app.insights.poolConsumers.drain();
  await pool.app.insights.sampleFeedLatency();
}, 120_000);

afterAll(() => pool.close());

describe('GET /admin/stats', { timeout: 90_000 }, () => {
  it('is for the moderators group only', async () => {
    expect(await stats('', null)).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
    expect(await stats('?days=7', 'not-a-token')).toMatchObject({ status: 401 });
    expect(await stats('?days=7', member)).toEqual({
      status: 403,
      body: { error: 'Forbidden', message: 'For the moderators group only' },
    });
  });

  it("lists the last 7 days by default, today last, with today's activity and feed latency", async () => {
    const { status, body } = await stats('');
    expect(status).toBe(200);
    expect(body.days).toHaveLength(7);
    const today = new Date().toISOString().slice(0, 10);
    expect(body.days[6]).toMatchObject({
      day: today,
      activeUsers: 3,
      signUps: 3,
      posts: 2,
      likes: 1,
      comments: 1,
      follows: 1,
      feedRequests: 4,
    });
    expect(body.days[6].feedP50Ms).toBeGreaterThan(0);
    expect(body.days[6].feedP99Ms).toBeGreaterThanOrEqual(body.days[6].feedP50Ms);
    expect(body.days[0]).toMatchObject({ posts: 0, activeUsers: 0, feedRequests: 0, feedP50Ms: null });
    const days = body.days.map((day: { day: string }) => day.day);
    expect(days).toEqual([...days].sort());
    expect(new Set(days).size).toBe(7);
  });

  it('answers the same days as `plaza stats --json` on the same data', async () => {
    for (const days of ['1', '30', '90']) {
      const cli = await plaza(['stats', '--days', days, '--json'], { DATA_DIR: pool.dir });
      expect(cli.code, cli.stderr).toBe(0);
      const route = await stats(`?days=${days}`);
      expect(route.status).toBe(200);
      expect(route.body.days).toEqual(JSON.parse(cli.stdout));
      expect(route.body.days).toHaveLength(Number(days));
    }
  });

  it('refuses a number of days outside 1 to 366, or not a whole number, with a 400 that says so', async () => {
    for (const days of ['0', '367', '-1', '7.5', 'week', '', '1e2', '7&days=30']) {
      const { status, body } = await stats(`?days=${days}`);
      expect(status, days).toBe(400);
      expect(body.error, days).toBe('BadInput');
      expect(body.message, days).toMatch(/^days: expected a whole number of days from 1 to 366, got "/);
    }
    expect((await stats('?days=367')).body.message).toBe(
      'days: expected a whole number of days from 1 to 366, got "367"',
    );
    expect((await stats('?days=366')).body.days).toHaveLength(366);
  });
});
