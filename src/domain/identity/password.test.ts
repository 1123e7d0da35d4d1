import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { authenticatePassword } from './initiate-auth.ts';
import { findUserByEmail, toUserRecord, userKeys, type UserRecord } from './model.ts';
import { replacePassword } from './password.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

const reread = async (sub: string): Promise<UserRecord> =>
  toUserRecord((await pool.services.users.get(userKeys.user(sub), { consistent: true })).item!);

describe('replacePassword', () => {
  it('lets the new password sign in, not the old, clears the lockout, and ends the sessions', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await pool.services.users.update({
      key: userKeys.user(sub),
      set: { status: 'CONFIRMED', failedSignIns: 3, lockedUntil: pool.clock.now() - 1 },
    });
    const before = await reread(sub);
    const { AccessToken } = await issueTokens(before, { withRefreshToken: false }, pool.services);
    pool.clock.advance(1000);
    await replacePassword(before, 'Correct-horse-2', pool.services, {
      set: { status: 'RESET_REQUIRED' },
      remove: ['temporaryPasswordExpiresAt'],
    });
    const after = await reread(sub);
    expect(after).toMatchObject({ status: 'RESET_REQUIRED', failedSignIns: 0, validAfter: pool.clock.now() });
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(after.srpVerifier).not.toBe(before.srpVerifier);
    expect(after.passwordHash).not.toContain('Correct-horse-2');
    await expect(pool.verifier.verify(AccessToken)).rejects.toMatchObject({ code: 'Unauthorized' });

    await pool.services.users.update({ key: userKeys.user(sub), set: { status: 'CONFIRMED' } });
    expect((await authenticatePassword('ada@example.com', 'Correct-horse-2', pool.services)).sub).toBe(sub);
    await failsWith(
      authenticatePassword('ada@example.com', 'Temporary-pass-1', pool.services),
      'NotAuthorizedException',
    );
  });

  it('refuses when hashing is at capacity, and for a user who is gone', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    const busy = Object.create(pool.services.hasher) as typeof pool.services.hasher;
    busy.hasCapacity = () => false;
    await failsWith(
      replacePassword(user, 'Correct-horse-2', { ...pool.services, hasher: busy }),
      'TooManyRequestsException',
    );
    await pool.services.users.delete({ key: userKeys.user(user.sub) });
    await expect(replacePassword(user, 'Correct-horse-2', pool.services)).rejects.toThrow();
    expect((await pool.services.users.get(userKeys.user(user.sub))).item).toBeUndefined();
  });
});
