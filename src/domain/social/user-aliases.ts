/**
 * Which Plaza user a pool's user is (ADR 0016). Plaza keys every item by the user id it first
 * knew a user by: the `sub` of the pool they signed up in. A pool refilled after a failover gives
 * each user a new `sub`, so the migration job links the new `sub` to the old id in the table
 * (replicated with everything else), and every caller is resolved through that link before a
 * resolver sees it. A user with no link is known by their `sub`, as before.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { Caller, IdentityVerifier } from '../../ports/identity-verifier.ts';
import type { ItemStore, Key } from '../../ports/item-store/item-store.ts';
import type { UserDirectory } from '../../ports/user-directory.ts';
import { requireUserId } from './model.ts';

export const aliasKeys = {
  /** A pool user's link to their Plaza id, looked up on every new token's `sub`. */
  poolUser: (sub: string): Key => ({ PK: `POOLUSER#${sub}`, SK: 'ALIAS' }),
  /**
   * The other way, per pool (after failing back, the first pool names the user by their id again),
   * in the user's partition so that erasing the account removes it.
   */
  userPool: (userId: string, poolId: string): Key => ({ PK: `USER#${userId}`, SK: `POOLUSER#${poolId}` }),
};

export interface PoolUserLink {
  /** The pool's `sub` of the user now. */
  sub: string;
  /** The pool's username (the sub, in a pool that signs in with email). */
  username: string;
  /** The id Plaza's items carry. */
  userId: string;
}

export interface UserAliases {
  /** The Plaza id of a pool's `sub`: its link's, or the `sub` itself. */
  userIdOf(sub: string): Promise<string>;
  /** This pool's username for a Plaza id: its link's, or the id itself. */
  usernameOf(userId: string): Promise<string>;
  /** The pool user's link, if any. */
  linkOf(sub: string): Promise<PoolUserLink | undefined>;
  /**
   * Links a user of this pool to a Plaza id. Refused (Conflict) when the `sub` is linked to another
   * id, or the id to another user of this pool: one account's data goes to one pool user. Linking
   * again is no error.
   */
  link(link: PoolUserLink): Promise<void>;
}

const cacheLimit = 10_000;
/** How long "no link" is believed: a link is written before its user can hold a token. */
const unlinkedMs = 60_000;

export function userAliases(store: ItemStore, poolId: string, now: () => number = Date.now): UserAliases {
  // Links never change once written, so a process keeps those it has read.
  const cache = new Map<string, { userId: string; until: number }>();
  const remember = (sub: string, userId: string, until: number) => {
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
    cache.set(sub, { userId, until });
  };
  const linkOf = async (sub: string): Promise<PoolUserLink | undefined> => {
    const { item } = await store.get(aliasKeys.poolUser(sub), { consistent: true });
    return item ? { sub, username: String(item.username), userId: String(item.userId) } : undefined;
  };
  return {
    linkOf,
    async userIdOf(sub) {
      const cached = cache.get(sub);
      if (cached && cached.until > now()) return cached.userId;
      const link = await linkOf(sub);
      remember(sub, link?.userId ?? sub, link ? Infinity : now() + unlinkedMs);
      return link?.userId ?? sub;
    },
    async usernameOf(userId) {
      const { item } = await store.get(aliasKeys.userPool(userId, poolId));
      return item ? String(item.username) : userId;
    },
    async link({ sub, username, userId }) {
      requireUserId(userId);
      try {
        await store.transactWrite([
          {
            put: { ...aliasKeys.poolUser(sub), userId, username },
            conditions: [{ op: 'attributeNotExists', attribute: 'PK' }],
          },
          {
            put: { ...aliasKeys.userPool(userId, poolId), sub, username },
            conditions: [{ op: 'attributeNotExists', attribute: 'PK' }],
          },
        ]);
        remember(sub, userId, Infinity);
      } catch (error) {
        if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
        const existing = await linkOf(sub);
        if (existing?.userId === userId) return remember(sub, userId, Infinity);
        throw new PlazaError(
          'Conflict',
          existing
            ? `The pool user ${sub} is already linked to ${existing.userId}`
            : `The user ${userId} is already linked to another pool user`,
        );
      }
    },
  };
}

/** A signed-in user as Plaza knows them: the token's `sub` replaced by the id it is linked to. */
export async function resolvedUser<C extends { sub: string }>(caller: C, aliases: UserAliases): Promise<C> {
  const userId = await aliases.userIdOf(caller.sub);
  return userId === caller.sub ? caller : { ...caller, sub: userId };
}

export async function resolvedCaller(caller: Caller, aliases: UserAliases): Promise<Caller> {
  return caller.kind === 'user' ? resolvedUser(caller, aliases) : caller;
}

export function aliasedVerifier(verifier: IdentityVerifier, aliases: UserAliases): IdentityVerifier {
  return { verify: async (token) => resolvedUser(await verifier.verify(token), aliases) };
}

/** The directory addressed by Plaza ids: a linked user is the pool user their link names. */
export function aliasedDirectory(directory: UserDirectory, aliases: UserAliases): UserDirectory {
  const named =
    <A extends unknown[], R>(operation: (username: string, ...rest: A) => Promise<R>) =>
    async (userId: string, ...rest: A) =>
      operation(await aliases.usernameOf(userId), ...rest);
  return {
    deleteUser: named((username) => directory.deleteUser(username)),
    setEnabled: named((username, enabled: boolean) => directory.setEnabled(username, enabled)),
    signOutEverywhere: named((username) => directory.signOutEverywhere(username)),
    listGroups: named((username) => directory.listGroups(username)),
    addToGroup: named((username, group: string) => directory.addToGroup(username, group)),
    removeFromGroup: named((username, group: string) => directory.removeFromGroup(username, group)),
    async findUser(nameOrEmail) {
      const found = await directory.findUser(nameOrEmail);
      return found && { ...found, sub: await aliases.userIdOf(found.sub) };
    },
  };
}
