/**
 * A user who leaves the user pool leaves no identity behind: their login's link and the identity
 * it names are deleted together, so nothing of theirs stays in the pool's table, and a later user
 * with the same sub (never, for Cognito's UUIDs, but an import may reuse one) starts afresh.
 */
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import { identityKeys } from './model.ts';

/** `store`: the user pool's table; `userPoolId`: the provider key the user's login is kept under. */
export async function forgetUser(sub: string, store: ItemStore, userPoolId: string): Promise<void> {
  const link = identityKeys.login(userPoolId, sub);
  const { item } = await store.get(link, { consistent: true });
  if (!item) return;
  await store.transactWrite([{ delete: link }, { delete: identityKeys.identity(String(item.identityId)) }]);
}
