import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import {
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminGetUser,
  adminSetEnabled,
  adminUserGlobalSignOut,
  listUsers,
  parseUserFilter,
} from './admin-users.ts';
import { findUserByEmail, toUserRecord, userKeys, type PostConfirmationEvent } from './model.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function record(sub: string) {
  const { item } = await pool.services.users.get(userKeys.user(sub), { consistent: true });
  return item && toUserRecord(item);
}

describe('adminCreateUser', () => {
  it('makes a FORCE_CHANGE_PASSWORD user and mails the temporary password, unless suppressed', async () => {
    pool = await testPool();
    const { User } = await adminCreateUser(
      {
        Username: 'Ada@Example.com',
        TemporaryPassword: 'Temporary-1',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      },
      pool.services,
    );
    expect(User).toMatchObject({ UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true });
    expect(User.Attributes).toEqual(
      expect.arrayContaining([
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    );
    const [invitation] = await pool.mail('ada@example.com');
    expect(invitation?.text).toContain('Temporary-1');
    expect((await record(User.Username))?.temporaryPasswordExpiresAt).toBe(
      pool.clock.now() + 7 * 24 * 3600 * 1000,
    );
    await pool.user('lin@example.com');
    expect(await pool.mail('lin@example.com')).toEqual([]);
  });

  it('refuses a taken email in any case, a bad email, and a temporary password against the policy', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    await failsWith(pool.user('ADA@example.com'), 'UsernameExistsException');
    await failsWith(pool.user('not an email'), 'InvalidParameterException');
    await failsWith(
      adminCreateUser({ Username: 'lin@example.com', TemporaryPassword: 'short' }, pool.services),
      'InvalidPasswordException',
    );
    expect(await findUserByEmail('lin@example.com', pool.services)).toBeUndefined();
  });

  it('keeps the schema attributes it is given, with an unverified phone, and refuses what an update refuses', async () => {
    pool = await testPool();
    const create = (Username: string, UserAttributes: { Name: string; Value: string }[]) =>
      adminCreateUser({ Username, MessageAction: 'SUPPRESS', UserAttributes }, pool.services);
    const { User } = await create('ada@example.com', [
      { Name: 'phone_number', Value: '+14325551212' },
      { Name: 'custom:profile_picture_url', Value: 'https://example.com/ada.png' },
    ]);
    expect((await record(User.Username))?.attributes).toMatchObject({
      phone_number: '+14325551212',
      phone_number_verified: 'false',
      email_verified: 'false',
      'custom:profile_picture_url': 'https://example.com/ada.png',
    });
    for (const [Name, Value] of [
      ['phone_number', '+0123'],
      ['custom:unknown', 'x'],
      ['phone_number_verified', 'yes'],
      ['name', 'x'.repeat(2049)],
    ] as const)
      await failsWith(create('lin@example.com', [{ Name, Value }]), 'InvalidParameterException');
    expect(await findUserByEmail('lin@example.com', pool.services)).toBeUndefined();
  });
});

describe('adminConfirmSignUp', () => {
  it('confirms once, runs the post-confirmation trigger, and refuses a second time', async () => {
    pool = await testPool();
    const events: PostConfirmationEvent[] = [];
    pool.services.postConfirmation = async (event) => events.push(event);
    const sub = await pool.user('ada@example.com');
    await adminConfirmSignUp({ Username: 'ada@example.com' }, pool.services);
    expect((await record(sub))?.status).toBe('CONFIRMED');
    expect(events).toMatchObject([{ userName: sub, userPoolId: 'us-west-1_TestPool1', region: 'us-west-1' }]);
    await failsWith(adminConfirmSignUp({ Username: sub }, pool.services), 'NotAuthorizedException');
    expect(events).toHaveLength(1);
    await failsWith(
      adminConfirmSignUp({ Username: 'ghost@example.com' }, pool.services),
      'UserNotFoundException',
    );
  });
});

describe('adminSetEnabled and adminUserGlobalSignOut', () => {
  it('disabling ends every session; enabling does not bring them back; sign-out counts each time', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await adminSetEnabled({ Username: sub }, false, pool.services);
    expect(await record(sub)).toMatchObject({ enabled: false, revocations: 1 });
    expect((await adminGetUser({ Username: sub }, pool.services)).Enabled).toBe(false);
    await adminSetEnabled({ Username: sub }, true, pool.services);
    expect(await record(sub)).toMatchObject({ enabled: true, revocations: 1 });
    await adminUserGlobalSignOut({ Username: sub }, pool.services);
    expect((await record(sub))?.revocations).toBe(2);
  });
});

describe('adminDeleteUser', () => {
  it('removes the user and frees the email, and a second delete finds nobody', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await adminDeleteUser({ Username: sub }, pool.services);
    expect(await record(sub)).toBeUndefined();
    await failsWith(adminGetUser({ Username: 'ada@example.com' }, pool.services), 'UserNotFoundException');
    await failsWith(adminDeleteUser({ Username: sub }, pool.services), 'UserNotFoundException');
    expect(await pool.user('ada@example.com')).not.toBe(sub);
  });
});

describe('listUsers', () => {
  it('lists users in sign-up order a page at a time, filtered, with only the attributes asked for', async () => {
    pool = await testPool();
    const emails = ['ann@a.test', 'bob@b.test', 'anna@a.test', 'cy@c.test', 'andy@a.test'];
    for (const email of emails) {
      await pool.user(email);
      pool.clock.advance(1000);
    }
    const seen: string[] = [];
    let PaginationToken: string | undefined;
    do {
      const page = await listUsers(
        {
          Limit: 2,
          Filter: 'email ^= "AN"',
          AttributesToGet: ['email'],
          ...(PaginationToken ? { PaginationToken } : {}),
        },
        pool.services,
      );
      expect(page.Users.length).toBeLessThanOrEqual(2);
      for (const user of page.Users) {
        expect(user.Attributes.map((a) => a.Name)).toEqual(['email']);
        seen.push(user.Attributes[0]!.Value);
      }
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    expect(seen).toEqual(['ann@a.test', 'anna@a.test', 'andy@a.test']);
    expect((await listUsers({}, pool.services)).Users).toHaveLength(5);
    expect((await listUsers({ Filter: 'email = "cy@c.test"' }, pool.services)).Users).toHaveLength(1);
  });

  it('refuses a bad Limit, filter, attribute or token', async () => {
    pool = await testPool();
    await failsWith(listUsers({ Limit: 61 }, pool.services), 'InvalidParameterException');
    await failsWith(listUsers({ Filter: 'email ~ "x"' }, pool.services), 'InvalidParameterException');
    await failsWith(listUsers({ Filter: 'password = "x"' }, pool.services), 'InvalidParameterException');
    await failsWith(
      listUsers({ AttributesToGet: ['passwordHash'] }, pool.services),
      'InvalidParameterException',
    );
    await failsWith(listUsers({ PaginationToken: 'nope' }, pool.services), 'InvalidParameterException');
  });
});

describe('parseUserFilter', () => {
  it('compares as Cognito does: usernames and statuses exactly, emails and names without case, escapes honoured', () => {
    const user = toUserRecord({
      sub: 'Abc-1',
      email: 'ada@example.com',
      status: 'CONFIRMED',
      enabled: false,
      attributes: { name: 'Say "Hi"' },
    });
    expect(parseUserFilter('username = "Abc-1"')!(user)).toBe(true);
    expect(parseUserFilter('username = "abc-1"')!(user)).toBe(false);
    expect(parseUserFilter('email = "ADA@example.com"')!(user)).toBe(true);
    expect(parseUserFilter('cognito:user_status = "confirmed"')!(user)).toBe(false);
    expect(parseUserFilter('status = "disabled"')!(user)).toBe(true);
    expect(parseUserFilter('name ^= "say \\"h"')!(user)).toBe(true);
    expect(parseUserFilter('given_name ^= ""')!(user)).toBe(false);
    expect(parseUserFilter('  ')).toBeUndefined();
  });
});
