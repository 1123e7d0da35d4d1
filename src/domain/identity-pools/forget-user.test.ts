import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { forgetUser } from './forget-user.ts';
import { getId } from './get-id.ts';
import { identityKeys, readIdentity } from './model.ts';
import { unlinkIdentity } from './unlink-identity.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const newIdentity = async (logins?: Record<string, string>) =>
  (await getId({ IdentityPoolId: pool.poolId, Logins: logins }, pool.services)).IdentityId;
const linkOf = async (sub: string) =>
  (await pool.services.store.get(identityKeys.login(pool.userPoolId, sub), { consistent: true })).item;

describe('forgetUser', () => {
  it('deletes the user’s identity and its link, so the same sub later starts afresh', async () => {
    const sub = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    expect((await linkOf(sub))?.identityId).toBe(IdentityId);
    await forgetUser(sub, pool.services.store, pool.userPoolId);
    expect(await linkOf(sub)).toBeUndefined();
    await failsWith(readIdentity(IdentityId, pool.services), 'ResourceNotFoundException');
    const again = await newIdentity(await pool.logins(sub));
    expect(again).not.toBe(IdentityId);
    expect((await readIdentity(again, pool.services)).logins).toEqual({ [pool.userPoolId]: sub });
  });

  it('leaves other users’ identities and guests alone', async () => {
    const leaving = randomUUID();
    const staying = randomUUID();
    await newIdentity(await pool.logins(leaving));
    const theirs = await newIdentity(await pool.logins(staying));
    const guest = await newIdentity();
    await forgetUser(leaving, pool.services.store, pool.userPoolId);
    expect((await readIdentity(theirs, pool.services)).logins).toEqual({ [pool.userPoolId]: staying });
    expect((await linkOf(staying))?.identityId).toBe(theirs);
    expect((await readIdentity(guest, pool.services)).logins).toEqual({});
  });

  it('does nothing for a user who never had an identity, or one kept under another user pool', async () => {
    await expect(forgetUser(randomUUID(), pool.services.store, pool.userPoolId)).resolves.toBeUndefined();
    const sub = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    await forgetUser(sub, pool.services.store, 'us-west-1_OtherPool');
    expect((await readIdentity(IdentityId, pool.services)).logins).toEqual({ [pool.userPoolId]: sub });
    expect((await linkOf(sub))?.identityId).toBe(IdentityId);
  });

  it('leaves an identity the user unlinked, a guest that is no longer theirs', async () => {
    const sub = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    await unlinkIdentity(
      { IdentityId, Logins: await pool.logins(sub), LoginsToRemove: [pool.provider] },
      pool.services,
    );
    await forgetUser(sub, pool.services.store, pool.userPoolId);
    expect((await readIdentity(IdentityId, pool.services)).logins).toEqual({});
  });

  it('forgets a user whose identity is already gone', async () => {
    const sub = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    await pool.services.store.delete({ key: identityKeys.identity(IdentityId) });
    await forgetUser(sub, pool.services.store, pool.userPoolId);
    expect(await linkOf(sub)).toBeUndefined();
  });
});
