import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminResetUserPassword, adminSetUserPassword } from './admin-passwords.ts';
import { authenticatePassword } from './initiate-auth.ts';
import { toUserRecord, userKeys, type UserRecord } from './model.ts';

let pool: TestPool;
afterEach(() => pool.close());

const reread = async (sub: string): Promise<UserRecord & { temporaryPasswordExpiresAt?: number }> => {
  const { item } = await pool.services.users.get(userKeys.user(sub), { consistent: true });
  return { ...toUserRecord(item!), temporaryPasswordExpiresAt: item!.temporaryPasswordExpiresAt as number };
};

describe('adminSetUserPassword', () => {
  it('confirms an invited user with a permanent password, and runs the post-confirmation trigger once', async () => {
    pool = await testPool();
    const confirmed: string[] = [];
    const services = {
      ...pool.services,
      postConfirmation: async (event: { userName: string }) => void confirmed.push(event.userName),
    };
    const sub = await pool.user('ada@example.com');
    await adminSetUserPassword(
      { Username: 'ada@example.com', Password: 'Correct-horse-2', Permanent: true },
      services,
    );
    const user = await reread(sub);
    expect(user.status).toBe('CONFIRMED');
    expect(user.temporaryPasswordExpiresAt).toBeUndefined();
    expect(confirmed).toEqual([sub]);
    expect((await authenticatePassword('ada@example.com', 'Correct-horse-2', services)).sub).toBe(sub);
    // A confirmed user's new permanent password is not a confirmation.
    await adminSetUserPassword({ Username: sub, Password: 'Correct-horse-3', Permanent: true }, services);
    expect(confirmed).toEqual([sub]);
  });

  it('gives a temporary password for seven days, to be changed at the next sign-in', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await adminSetUserPassword(
      { Username: sub, Password: 'Correct-horse-2', Permanent: true },
      pool.services,
    );
    await adminSetUserPassword({ Username: sub, Password: 'Temporary-pass-9' }, pool.services);
    const user = await reread(sub);
    expect(user.status).toBe('FORCE_CHANGE_PASSWORD');
    expect(user.temporaryPasswordExpiresAt).toBe(pool.clock.now() + 7 * 24 * 3600 * 1000);
  });

  it('refuses unknown users, federated users and passwords outside the policy', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await failsWith(
      adminSetUserPassword({ Username: 'nobody@example.com', Password: 'Correct-horse-2' }, pool.services),
      'UserNotFoundException',
    );
    await failsWith(
      adminSetUserPassword({ Username: sub, Password: 'short' }, pool.services),
      'InvalidPasswordException',
    );
    await failsWith(
      adminSetUserPassword({ Username: sub, Password: '' }, pool.services),
      'InvalidParameterException',
    );
    await pool.services.users.update({ key: userKeys.user(sub), set: { status: 'EXTERNAL_PROVIDER' } });
    await failsWith(
      adminSetUserPassword({ Username: sub, Password: 'Correct-horse-2', Permanent: true }, pool.services),
      'InvalidParameterException',
    );
  });
});

describe('adminResetUserPassword', () => {
  it('requires a reset at sign-in and mails a code; the same again is allowed', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await adminSetUserPassword(
      { Username: sub, Password: 'Correct-horse-2', Permanent: true },
      pool.services,
    );
    expect(await adminResetUserPassword({ Username: 'ada@example.com' }, pool.services)).toEqual({});
    expect((await reread(sub)).status).toBe('RESET_REQUIRED');
    await failsWith(
      authenticatePassword('ada@example.com', 'Correct-horse-2', pool.services),
      'PasswordResetRequiredException',
    );
    const [mail] = await pool.mail('ada@example.com');
    expect(mail?.text).toMatch(/\b\d{6}\b/);
    await adminResetUserPassword({ Username: sub }, pool.services);
    expect(await pool.mail('ada@example.com')).toHaveLength(2);
  });

  it('refuses a user who has not chosen a password, and a disabled one', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await failsWith(adminResetUserPassword({ Username: sub }, pool.services), 'NotAuthorizedException');
    await pool.services.users.update({
      key: userKeys.user(sub),
      set: { status: 'CONFIRMED', enabled: false },
    });
    await failsWith(adminResetUserPassword({ Username: sub }, pool.services), 'NotAuthorizedException');
    expect((await reread(sub)).status).toBe('CONFIRMED');
    expect(await pool.mail('ada@example.com')).toEqual([]);
  });
});
