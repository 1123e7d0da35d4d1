import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminAddUserToGroup, createGroup, listUsersInGroup } from './groups.ts';
import { initiateAuth } from './initiate-auth.ts';
import { findUserByEmail, mailCode, sessionsPartition, userKeys } from './model.ts';
import { oauthKeys } from './oauth.ts';
import { removeUser } from './remove-user.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

const identity = { issuer: 'https://accounts.example', userId: 'g-123' };

/** Ada with all the pool keeps of a user: a group, a refresh token, a pending code and a federated link. */
async function adaWithEverything() {
  const sub = await pool.user('ada@example.com');
  await createGroup({ GroupName: 'moderators' }, pool.services);
  await adminAddUserToGroup({ Username: sub, GroupName: 'moderators' }, pool.services);
  await pool.services.users.update({
    key: userKeys.user(sub),
    set: { attributes: { email: 'ada@example.com', identities: JSON.stringify([identity]) } },
  });
  const link = oauthKeys.federatedIdentity(identity.issuer, identity.userId);
  await pool.services.users.put({ item: { ...link, sub } });
  const user = (await findUserByEmail('ada@example.com', pool.services))!;
  const { RefreshToken } = await issueTokens(user, { withRefreshToken: true }, pool.services);
  await mailCode(user, 'reset', 3600, pool.services);
  return { sub, user, link, RefreshToken: RefreshToken! };
}

describe('removeUser', () => {
  it('removes the user with every item the pool keeps of them, and tells the rest of Plaza', async () => {
    pool = await testPool();
    const { sub, user, link, RefreshToken } = await adaWithEverything();
    const bob = await pool.user('bob@example.com');
    await adminAddUserToGroup({ Username: bob, GroupName: 'moderators' }, pool.services);
    const told: string[] = [];
    await removeUser(user, { ...pool.services, onUserDeleted: async (id) => void told.push(id) });

    expect(told).toEqual([sub]);
    expect(await findUserByEmail('ada@example.com', pool.services)).toBeUndefined();
    const { users } = pool.services;
    expect((await users.query({ partition: userKeys.user(sub).PK })).items).toEqual([]);
    expect((await users.query({ index: 'GSI1', partition: sessionsPartition(sub) })).items).toEqual([]);
    expect((await users.get(link, { consistent: true })).item).toBeUndefined();
    const { Users } = await listUsersInGroup({ GroupName: 'moderators' }, pool.services);
    expect(Users.map((member) => member.Username)).toEqual([bob]);
    await failsWith(
      initiateAuth(
        {
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: pool.services.pool.clientId,
          AuthParameters: { REFRESH_TOKEN: RefreshToken },
        },
        pool.services,
      ),
      'NotAuthorizedException',
    );
    // The email is free at once.
    expect(await pool.user('ada@example.com')).not.toBe(sub);
  });

  it('leaves a federated link that another account has taken over', async () => {
    pool = await testPool();
    const { user, link } = await adaWithEverything();
    const newcomer = await pool.user('lin@example.com');
    await pool.services.users.put({ item: { ...link, sub: newcomer } });
    await removeUser(user, pool.services);
    expect((await pool.services.users.get(link, { consistent: true })).item?.sub).toBe(newcomer);
    expect((await findUserByEmail('lin@example.com', pool.services))?.sub).toBe(newcomer);
  });

  it('is idempotent, and leaves an email alias another account holds by then', async () => {
    pool = await testPool();
    const { sub, user } = await adaWithEverything();
    await removeUser(user, pool.services);
    await removeUser(user, pool.services);
    const again = await pool.user('ada@example.com');
    expect(again).not.toBe(sub);
    // The first Ada's record, removed late (a retried deletion): the newcomer keeps the email.
    await removeUser(user, pool.services);
    expect((await findUserByEmail('ada@example.com', pool.services))?.sub).toBe(again);
    expect((await pool.services.users.get(userKeys.user(sub), { consistent: true })).item).toBeUndefined();
  });
});
