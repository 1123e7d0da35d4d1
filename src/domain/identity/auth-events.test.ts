import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicFactory } from 'ulid';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { adminListUserAuthEvents } from './admin-list-user-auth-events.ts';
import {
  authEventDays,
  mfaSuccess,
  passwordSuccess,
  recordAuthEvent,
  trimAuthEvents,
} from './auth-events.ts';
import { userKeys, type IdentityServices } from './model.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-auth-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function services(name: string) {
  let now = Date.parse('2026-03-01T12:00:00Z');
  const clock = { now: () => now };
  const ulid = monotonicFactory();
  const { store } = openSqliteStore(join(dir, `${name}.db`), { clock });
  const sub = randomUUID();
  return {
    sub,
    later: (ms: number) => (now += ms),
    services: {
      users: store,
      clock,
      ids: {
        uuid: randomUUID,
        ulid: () => ulid(now),
        secret: (n: number) => randomBytes(n).toString('base64url'),
      },
    } as unknown as IdentityServices,
    async addUser() {
      await store.put({ item: { ...userKeys.user(sub), sub, email: `${name}@example.com`, attributes: {} } });
    },
  };
}

describe('auth events', () => {
  it('lists a user’s events newest first, a page at a time, in Cognito’s AuthEventType shape', async () => {
    const { sub, later, services: s, addUser } = services('pages');
    await addUser();
    await recordAuthEvent(sub, { type: 'SignUp', response: 'Pass' }, s);
    later(1000);
    await recordAuthEvent(
      sub,
      { type: 'SignIn', response: 'Pass', challenges: [passwordSuccess, mfaSuccess] },
      s,
    );
    later(1000);
    await recordAuthEvent(sub, { type: 'PasswordChange', response: 'Fail' }, s);
    const first = await adminListUserAuthEvents({ Username: sub, MaxResults: 2 }, s);
    expect(first.AuthEvents.map((event) => event.EventType)).toEqual(['PasswordChange', 'SignIn']);
    expect(first.AuthEvents[1]).toEqual({
      EventId: expect.any(String),
      EventType: 'SignIn',
      CreationDate: Date.parse('2026-03-01T12:00:01Z') / 1000,
      EventResponse: 'Pass',
      EventRisk: { RiskDecision: 'NoRisk', RiskLevel: 'Low', CompromisedCredentialsDetected: false },
      ChallengeResponses: [
        { ChallengeName: 'Password', ChallengeResponse: 'Success' },
        { ChallengeName: 'Mfa', ChallengeResponse: 'Success' },
      ],
    });
    expect(first.NextToken).toBeDefined();
    const second = await adminListUserAuthEvents(
      { Username: sub, MaxResults: 2, NextToken: first.NextToken! },
      s,
    );
    expect(second.AuthEvents.map((event) => event.EventType)).toEqual(['SignUp']);
    expect(second.NextToken).toBeUndefined();
    await expect(adminListUserAuthEvents({ Username: sub, NextToken: 'bm9wZQ' }, s)).rejects.toMatchObject({
      code: 'InvalidParameterException',
    });
    await expect(adminListUserAuthEvents({ Username: randomUUID() }, s)).rejects.toMatchObject({
      code: 'UserNotFoundException',
    });
  });

  it(`keeps events ${authEventDays} days, and the newest ones only when trimmed`, async () => {
    const { sub, later, services: s, addUser } = services('bounds');
    await addUser();
    await recordAuthEvent(sub, { type: 'SignIn', response: 'Fail' }, s);
    later(authEventDays * 24 * 3600 * 1000 + 1000);
    for (let i = 0; i < 5; i++) {
      later(1);
      await recordAuthEvent(sub, { type: 'SignIn', response: 'Pass' }, s);
    }
    const listed = await adminListUserAuthEvents({ Username: sub }, s);
    expect(listed.AuthEvents.map((event) => event.EventResponse)).toEqual(Array(5).fill('Pass'));
    await trimAuthEvents(sub, s, 2);
    const { items } = await s.users.query({
      partition: userKeys.user(sub).PK,
      sortKey: { op: 'beginsWith', value: 'EVENT#' },
    });
    expect(items).toHaveLength(2);
  });
});
