import type { Item } from '../../ports/item-store/item-store.ts';
import { fail, poolName, userKeys, type IdentityServices, type UserRecord } from './model.ts';
import { createVerifier } from './srp.ts';

/**
 * Gives a user a new password: a new argon2id hash and SRP verifier, and every
 * token issued before now stops working (ASVS: sessions end on a password change).
 * `changes` go in the same write (a new status, members to remove).
 */
export async function replacePassword(
  user: UserRecord,
  password: string,
  { users, clock, hasher, pool }: Pick<IdentityServices, 'users' | 'clock' | 'hasher' | 'pool'>,
  changes: { set?: Item; remove?: string[] } = {},
): Promise<void> {
  if (!hasher.hasCapacity()) fail('TooManyRequestsException', 'Too many requests, please try again later.');
  const passwordHash = await hasher.hash(password);
  const srp = createVerifier(user.sub, password, poolName(pool.userPoolId));
  await users.update({
    key: userKeys.user(user.sub),
    set: {
      passwordHash,
      srpSalt: srp.salt,
      srpVerifier: srp.verifier,
      validAfter: clock.now(),
      lastModified: clock.now(),
      failedSignIns: 0,
      lockedUntil: 0,
      ...changes.set,
    },
    ...(changes.remove ? { remove: changes.remove } : {}),
    add: { revocations: 1 },
    conditions: [{ op: 'itemExists' }],
  });
}
