import { isPlazaError } from '../../platform/errors.ts';
import { writeAll } from '../../ports/item-store/batch.ts';
import { pages } from '../../ports/item-store/pages.ts';
import type { CancellationReason, Key } from '../../ports/item-store/item-store.ts';
import { oauthKeys } from './oauth.ts';
import { sessionsPartition, userKeys, type IdentityServices, type UserRecord } from './model.ts';

/** The external identities a federated user signs in with (Cognito's `identities` attribute). */
function federatedLinks(user: UserRecord): Key[] {
  try {
    const identities = JSON.parse(user.attributes.identities ?? '[]') as {
      issuer?: string;
      userId?: string;
    }[];
    return identities
      .filter((identity) => identity.issuer && identity.userId)
      .map((identity) => oauthKeys.federatedIdentity(String(identity.issuer), String(identity.userId)));
  } catch {
    return [];
  }
}

/**
 * Removes a user from the pool with everything the pool keeps of them: the user and the email
 * alias (in one transaction, so the email is free at once), federated links, pending codes, group
 * memberships and every refresh token. Then the rest of Plaza hears of it (`onUserDeleted`: the account's social
 * data). Idempotent: a second call finds less and removes nothing more.
 */
export async function removeUser(
  user: UserRecord,
  services: Pick<IdentityServices, 'users' | 'onUserDeleted'>,
): Promise<void> {
  const { users } = services;
  const mine = [{ op: '=' as const, attribute: 'sub', value: user.sub }];
  try {
    await users.transactWrite([
      { delete: userKeys.user(user.sub) },
      { delete: userKeys.email(user.email), conditions: mine },
    ]);
  } catch (error) {
    // The alias names this user no more (a second call removed it; a new account has the email
    // since): it stays, and the user's own item goes alone.
    const reasons = isPlazaError(error, 'TransactionCanceledException')
      ? ((error.details?.cancellationReasons ?? []) as CancellationReason[])
      : [];
    if (reasons[1]?.code !== 'ConditionalCheckFailed') throw error;
    await users.delete({ key: userKeys.user(user.sub) });
  }
  // A link is only removed while it still names this user (a new account may have taken it over).
  for (const link of federatedLinks(user)) {
    await users.delete({ key: link, conditions: mine }).catch(() => undefined);
  }
  for (const query of [
    { partition: userKeys.user(user.sub).PK },
    { index: 'GSI1' as const, partition: sessionsPartition(user.sub) },
  ]) {
    for await (const items of pages(users, { ...query, limit: 100 })) {
      await writeAll(
        users,
        items.flatMap((item) => {
          const key = { PK: String(item.PK), SK: String(item.SK) };
          // A membership is kept both ways: the group's side goes too.
          return key.SK.startsWith('GROUP#')
            ? [{ delete: key }, { delete: userKeys.member(key.SK.slice('GROUP#'.length), user.sub) }]
            : [{ delete: key }];
        }),
      );
    }
  }
  await services.onUserDeleted?.(user.sub);
}
