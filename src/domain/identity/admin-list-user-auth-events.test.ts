import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminListUserAuthEvents } from './admin-list-user-auth-events.ts';
import { recordAuthEvent } from './auth-events.ts';

let pool: TestPool;
afterEach(() => pool.close());

const list = (Username: string, page: { MaxResults?: number; NextToken?: string } = {}) =>
  adminListUserAuthEvents({ Username, ...page }, pool.services);

describe('adminListUserAuthEvents', () => {
  it('lists the newest first, a page at a time, in Cognito’s shape', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    for (const type of ['SignUp', 'SignIn', 'PasswordChange'] as const) {
      await recordAuthEvent(sub, { type, response: 'Pass' }, pool.services);
      pool.clock.advance(1000);
    }
    const first = await list('ada@example.com', { MaxResults: 2 });
    expect(first.AuthEvents.map((event) => event.EventType)).toEqual(['PasswordChange', 'SignIn']);
    expect(first.AuthEvents[0]).toMatchObject({
      EventResponse: 'Pass',
      ChallengeResponses: [],
      EventRisk: { RiskDecision: 'NoRisk' },
      CreationDate: (pool.clock.now() - 1000) / 1000,
    });
    const rest = await list(sub, { MaxResults: 2, NextToken: first.NextToken! });
    expect(rest.AuthEvents.map((event) => event.EventType)).toEqual(['SignUp']);
    expect(rest.NextToken).toBeUndefined();
    expect((await list(sub)).AuthEvents).toHaveLength(3);
  });

  it('leaves out events past their 90 days, even before the store removes them', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await recordAuthEvent(sub, { type: 'SignIn', response: 'Fail' }, pool.services);
    pool.clock.advance(89 * 24 * 3600 * 1000);
    await recordAuthEvent(sub, { type: 'SignIn', response: 'Pass' }, pool.services);
    pool.clock.advance(2 * 24 * 3600 * 1000);
    expect((await list(sub)).AuthEvents.map((event) => event.EventResponse)).toEqual(['Pass']);
  });

  it('refuses a bad page size, a forged token and an unknown user', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    for (const MaxResults of [-1, 61, 2.5])
      await failsWith(list(sub, { MaxResults }), 'InvalidParameterException');
    for (const NextToken of ['garbage', Buffer.from('USER#someone').toString('base64url')])
      await failsWith(list(sub, { NextToken }), 'InvalidParameterException');
    await failsWith(list('nobody@example.com'), 'UserNotFoundException');
  });
});
