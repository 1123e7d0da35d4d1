import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminDeleteUserAttributes, adminUpdateUserAttributes } from './admin-user-attributes.ts';
import { findUserByEmail, toUserRecord, userKeys } from './model.ts';

let pool: TestPool;
afterEach(() => pool.close());

const stored = async (sub: string) => {
  const { item } = await pool.services.users.get(userKeys.user(sub), { consistent: true });
  return { ...toUserRecord(item!), pendingEmail: item!.pendingEmail as string | undefined };
};

const update = (Username: string, attributes: Record<string, string>) =>
  adminUpdateUserAttributes(
    { Username, UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })) },
    pool.services,
  );

describe('adminUpdateUserAttributes', () => {
  it('sets attributes of the schema', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    expect(await update('ada@example.com', { name: 'Ada', 'custom:preferred_username': 'ada' })).toEqual({});
    expect((await stored(sub)).attributes).toMatchObject({ name: 'Ada', 'custom:preferred_username': 'ada' });
  });

  it('moves the sign-in alias at once to a new email given as verified', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await update(sub, { email: 'ada@new.example', email_verified: 'true' });
    expect((await stored(sub)).email).toBe('ada@new.example');
    expect((await findUserByEmail('ada@new.example', pool.services))?.sub).toBe(sub);
    expect(await findUserByEmail('ada@example.com', pool.services)).toBeUndefined();
    expect(await pool.mail('ada@new.example')).toEqual([]);
  });

  it('keeps the old email until a new unverified one is confirmed with the code mailed to it', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await update(sub, { email: 'Ada@New.example' });
    const user = await stored(sub);
    expect(user).toMatchObject({ email: 'ada@example.com', pendingEmail: 'ada@new.example' });
    expect((await findUserByEmail('ada@example.com', pool.services))?.sub).toBe(sub);
    const [mail] = await pool.mail('ada@new.example');
    expect(mail?.text).toMatch(/\b\d{6}\b/);
  });

  it("refuses another user's email, attributes outside the schema and unknown users", async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await pool.user('bob@example.com');
    await failsWith(
      update(sub, { email: 'bob@example.com', email_verified: 'true' }),
      'AliasExistsException',
    );
    await failsWith(update(sub, { email: 'not an email' }), 'InvalidParameterException');
    await failsWith(update(sub, { 'custom:shoe_size': '42' }), 'InvalidParameterException');
    await failsWith(update(sub, { sub: 'someone-else' }), 'InvalidParameterException');
    await failsWith(update('nobody@example.com', { name: 'Nobody' }), 'UserNotFoundException');
    expect((await stored(sub)).attributes.name).toBeUndefined();
  });
});

describe('adminDeleteUserAttributes', () => {
  it('removes optional attributes and refuses required ones', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await update(sub, { name: 'Ada', phone_number: '+14325551212' });
    await adminDeleteUserAttributes({ Username: sub, UserAttributeNames: ['name'] }, pool.services);
    const { attributes } = await stored(sub);
    expect(attributes.name).toBeUndefined();
    expect(attributes.phone_number).toBe('+14325551212');
    await failsWith(
      adminDeleteUserAttributes({ Username: sub, UserAttributeNames: ['email'] }, pool.services),
      'InvalidParameterException',
    );
    await failsWith(
      adminDeleteUserAttributes({ Username: sub, UserAttributeNames: ['custom:shoe_size'] }, pool.services),
      'InvalidParameterException',
    );
    expect((await stored(sub)).attributes.phone_number).toBe('+14325551212');
  });
});
