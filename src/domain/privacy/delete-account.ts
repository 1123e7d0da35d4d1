import { isPlazaError } from '../../platform/errors.ts';
import type { TransactAction } from '../../ports/item-store/item-store.ts';
import { keys } from '../social/keys.ts';
import { requireUserId, type SocialServices } from '../social/model.ts';

/**
 * Closes an account: the profile and the username claim go in one transaction, so the user
 * disappears from the API and the name is free at once. Everything else the account holds is
 * erased from the change stream when the profile's REMOVE record arrives (erase-account.ts),
 * which survives a crash and runs the same for every way in (GraphQL, Cognito, the CLI).
 * Returns false when there was no profile (already deleted: nothing more happens).
 */
export async function deleteAccount(
  userId: string,
  { store }: Pick<SocialServices, 'store'>,
  attempt = 0,
): Promise<boolean> {
  const id = requireUserId(userId);
  const { item: profile } = await store.get(keys.profile(id), { consistent: true });
  if (!profile) return false;
  const actions: TransactAction[] = [
    {
      delete: keys.profile(id),
      // Unchanged since it was read, so the claim removed is the one the profile holds.
      conditions: [
        typeof profile.username === 'string'
          ? { op: '=', attribute: 'username', value: profile.username }
          : { op: 'attributeNotExists', attribute: 'username' },
      ],
    },
  ];
  // A claim that is not this user's (a damaged table) never blocks the deletion: after a retry, the profile goes alone.
  if (typeof profile.username === 'string' && attempt < 2) {
    actions.push({
      delete: keys.usernameClaim(profile.username),
      conditions: [{ op: '=', attribute: 'userId', value: id }],
    });
  }
  try {
    await store.transactWrite(actions);
  } catch (error) {
    // Deleted or renamed meanwhile: read again and try again, or find it gone.
    if (!isPlazaError(error, 'TransactionCanceledException') || attempt >= 3) throw error;
    return deleteAccount(id, { store }, attempt + 1);
  }
  return true;
}
