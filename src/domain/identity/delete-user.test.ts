import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { deleteUser } from './delete-user.ts';
import { findUserByEmail, userKeys } from './model.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

describe('deleteUser', () => {
  it('forgets the signed-in user, tells the rest of Plaza, and their token stops working', async () => {
    pool = await testPool();
    const deleted: string[] = [];
    const services = { ...pool.services, onUserDeleted: async (sub: string) => void deleted.push(sub) };
    const sub = await pool.user('ada@example.com');
    const bob = await pool.user('bob@example.com');
    const user = (await findUserByEmail('ada@example.com', services))!;
    const { AccessToken } = await issueTokens(user, { withRefreshToken: true }, services);

    expect(await deleteUser({ AccessToken }, pool.verifier, services)).toEqual({});
    expect(deleted).toEqual([sub]);
    expect(await findUserByEmail('ada@example.com', services)).toBeUndefined();
    expect((await services.users.get(userKeys.user(sub), { consistent: true })).item).toBeUndefined();
    await failsWith(deleteUser({ AccessToken }, pool.verifier, services), 'NotAuthorizedException');
    expect(deleted).toEqual([sub]);
    // Nobody else goes with them.
    expect((await findUserByEmail('bob@example.com', services))?.sub).toBe(bob);
  });
});
