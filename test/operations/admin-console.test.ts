/**
 * The operator console's API under /admin with the embedded pool's real tokens: the moderators
 * group gets in with its user-pool token (as the console in the browser sends it), everyone else is
 * refused; lookups and actions reach the pool (a disabled user cannot sign in, a deleted one is gone).
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBackups } from '../../src/app/backups.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { errorName, poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
let moderator: string;
let member: string;
beforeAll(async () => {
  // Metrics sampled every second, so a test sees a period close.
  pool = await startPoolApp('admin-console', { configFile: { alarms: { evaluationSeconds: 1 } } });
  moderator = (await poolUser(pool, 'console-mod@example.com', { groups: ['moderators'] })).accessToken;
  member = (await poolUser(pool, 'console-member@example.com')).accessToken;
});
afterAll(() => pool.close());

async function call(path: string, token: string | undefined, method = 'GET') {
  const response = await fetch(`${pool.url}/admin${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  // The bodies vary by route; the assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

describe('the operator console API', () => {
  it('refuses anyone outside the moderators group, at the HTTP and the GraphQL level', async () => {
    for (const path of ['/alarms', '/metrics', '/backups', '/cost', '/users?q=console-mod@example.com']) {
      expect((await call(path, member)).status, path).toBe(403);
      expect((await call(path, undefined)).status, path).toBe(401);
      expect((await call(path, 'not-a-token')).status, path).toBe(401);
    }
    expect((await call('/users?q=console-mod@example.com', member)).body).toEqual({
      error: 'Forbidden',
      message: 'For the moderators group only',
    });
    expect((await call('/users/anyone/disable', member, 'POST')).status).toBe(403);
    const queue = await fetch(`${pool.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: member },
      body: JSON.stringify({ query: '{ reports { items { id } } }' }),
    });
    const answer = (await queue.json()) as { errors?: { errorType: string }[] };
    expect(answer.errors?.[0]?.errorType).toBe('Unauthorized');
  });

  it("stops a moderator's token at once when their sessions end", async () => {
    const other = await poolUser(pool, 'console-mod2@example.com', { groups: ['moderators'] });
    expect((await call('/alarms', other.accessToken)).status).toBe(200);
    expect((await call(`/users/${other.sub}/sign-out`, moderator, 'POST')).status).toBe(200);
    expect((await call('/alarms', other.accessToken)).status).toBe(401);
  });

  it("serves the console page at /admin and moderators' alarms, metrics and cost", async () => {
    const page = await fetch(`${pool.url}/admin`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    expect((await call('/alarms', moderator)).body.alarms.map((a: { name: string }) => a.name)).toContain(
      'HighErrorRate',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const metrics = await call('/metrics', moderator);
    expect(metrics.status).toBe(200);
    expect(metrics.body.periodSeconds).toBe(1);
    const errorRate = metrics.body.series.find((s: { name: string }) => s.name === 'errorRate');
    expect(errorRate.thresholds).toEqual([{ alarm: 'HighErrorRate', value: 10, periodSeconds: 300 }]);
    // The requests so far (the member's refused GraphQL call among them) are in the closed periods.
    const requests = metrics.body.series.find((s: { name: string }) => s.name === 'requests');
    expect(requests.times.length).toBeGreaterThan(0);
    expect(requests.values.reduce((sum: number, v: number | null) => sum + (v ?? 0), 0)).toBeGreaterThan(0);
    expect((await call('/cost?mau=1000', moderator)).status).toBe(200);
    expect((await call('/cost?mau=-1', moderator)).status).toBe(400);
  });

  it('lists the backups, newest first', async () => {
    expect((await call('/backups', moderator)).body).toEqual({ backups: [] });
    const config = loadConfig({ DATA_DIR: pool.dir, PORT: '0' }, pool.dir);
    const made = await withBackups(config, async (backups) => [
      await backups.create(),
      await backups.create(),
    ]);
    const { body } = await call('/backups', moderator);
    expect(body.backups.map((b: { id: string }) => b.id)).toEqual(made.map((m) => m.id).reverse());
    expect(body.backups[0].databaseBytes).toBeGreaterThan(0);
  });

  it('looks users up and disables, enables, signs out, regroups and deletes them', async () => {
    const target = await poolUser(pool, 'console-target@example.com');
    const found = await call('/users?q=CONSOLE-TARGET@example.com', moderator);
    expect(found.body.user).toMatchObject({
      sub: target.sub,
      email: 'console-target@example.com',
      enabled: true,
      groups: [],
    });
    expect((await call(`/users?q=${target.sub}`, moderator)).body.user.sub).toBe(target.sub);
    expect((await call('/users?q=nobody@example.com', moderator)).status).toBe(404);
    expect((await call('/users?q=', moderator)).status).toBe(400);

    const signIn = () =>
      pool.cognito.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: target.email, PASSWORD: target.password },
        }),
      );
    expect((await call(`/users/${target.sub}/disable`, moderator, 'POST')).body.user.enabled).toBe(false);
    expect(await errorName(signIn())).toBe('NotAuthorizedException');
    expect((await call(`/users/${target.sub}/enable`, moderator, 'POST')).body.user.enabled).toBe(true);
    expect(await errorName(signIn())).toBe('no error');

    const fresh = await signIn();
    expect((await call(`/users/${target.sub}/sign-out`, moderator, 'POST')).status).toBe(200);
    const refresh = pool.cognito.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: fresh.AuthenticationResult!.RefreshToken! },
      }),
    );
    expect(await errorName(refresh)).toBe('NotAuthorizedException');

    expect((await call(`/users/${target.sub}/groups/moderators`, moderator, 'PUT')).body).toEqual({
      groups: ['moderators'],
    });
    expect((await call(`/users/${target.sub}/groups/moderators`, moderator, 'DELETE')).body).toEqual({
      groups: [],
    });
    expect((await call(`/users/${target.sub}/groups/no-such-group`, moderator, 'PUT')).status).toBe(404);
    expect((await call(`/users/${target.sub}/promote`, moderator, 'POST')).status).toBe(404);
    const unknown = '0b5e1c9a-0000-4000-8000-00000000dead';
    expect((await call(`/users/${unknown}/disable`, moderator, 'POST')).status).toBe(404);

    expect((await call(`/users/${target.sub}`, moderator, 'DELETE')).status).toBe(204);
    expect((await call(`/users?q=${target.sub}`, moderator)).status).toBe(404);
    expect((await call(`/users/${target.sub}`, moderator, 'DELETE')).status).toBe(404);
    expect(await errorName(signIn())).toBe('NotAuthorizedException');
  });
});
