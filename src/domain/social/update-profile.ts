import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { Item, TransactAction } from '../../ports/item-store/item-store.ts';
import { requireOwnMedia } from '../media/require-media.ts';
import { keys, usersByNameIndex } from './keys.ts';
import { limits, requireText, requireUserId, toProfile, type Profile, type SocialServices } from './model.ts';

export interface ProfileChanges {
  username?: string;
  displayName?: string;
  bio?: string;
  avatarKey?: string;
}

const usernamePattern = /^[a-z0-9_.]{3,30}$/;

/**
 * Changes the viewer's own profile. A username is unique regardless of case:
 * it is claimed with a put-if-absent claim item in the same transaction that
 * renames the profile and releases the old claim.
 */
export async function updateProfile(
  viewerId: string,
  changes: ProfileChanges,
  { store, confirmUpload }: Pick<SocialServices, 'store' | 'confirmUpload'>,
): Promise<Profile> {
  const userId = requireUserId(viewerId);
  const set: Item = {};
  if (changes.displayName !== undefined)
    set.displayName = requireText(changes.displayName, 'displayName', limits.displayNameLength);
  if (changes.bio !== undefined)
    set.bio = requireText(changes.bio, 'bio', limits.bioLength, { allowEmpty: true });
  if (changes.avatarKey !== undefined) {
    await requireOwnMedia([changes.avatarKey], userId, 'AVATAR', { store, confirmUpload });
    set.avatarKey = changes.avatarKey;
  }
  const { item: current } = await store.get(keys.profile(userId), { consistent: true });
  if (!current) throw new PlazaError('NotFound', 'You have no profile yet');

  const actions: TransactAction[] = [];
  if (changes.username !== undefined) {
    const username = changes.username.trim();
    if (!usernamePattern.test(username.toLowerCase())) {
      throw new PlazaError('BadInput', 'username must be 3-30 characters: letters, digits, "_" and "."');
    }
    const previous = typeof current.username === 'string' ? current.username : undefined;
    if (previous?.toLowerCase() !== username.toLowerCase()) {
      actions.push({
        put: { ...keys.usernameClaim(username), userId },
        conditions: [{ op: 'itemNotExists' }],
      });
      if (previous) {
        actions.push({
          delete: keys.usernameClaim(previous),
          conditions: [{ op: '=', attribute: 'userId', value: userId }],
        });
      }
    }
    Object.assign(set, { username }, usersByNameIndex(username));
  }
  if (Object.keys(set).length === 0) return toProfile(current);

  actions.push({ update: { key: keys.profile(userId), set }, conditions: [{ op: 'itemExists' }] });
  try {
    await store.transactWrite(actions);
  } catch (error) {
    if (isPlazaError(error, 'TransactionCanceledException')) {
      throw new PlazaError('Conflict', `The username ${changes.username} is taken`);
    }
    throw error;
  }
  return toProfile({ ...current, ...set });
}
