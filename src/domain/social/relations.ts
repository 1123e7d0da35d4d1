/**
 * Blocks and mutes as the other use cases read them. Each is a pair of items (keys.ts): the
 * actor's `BLOCK#`/`MUTE#` item and the other user's `BLOCKED_BY#`/`MUTED_BY#` twin, so a write
 * can check "does the owner block me" with one key, and a live event can ask who blocks its
 * author with one query of the author's own partition.
 *
 * A user's profile counts the items that hide others from their reads (`hiddenCount`: their
 * `BLOCK#`, `BLOCKED_BY#` and `MUTE#` items), moved in the transactions that write them. Nearly
 * everyone's is 0, and then a feed page needs no key per author to look for blocks and mutes.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { CancellationReason, Item, Key, TransactAction } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { idAfter, keys, partitions, sortPrefixes } from './keys.ts';
import { requireUserId, text, type SocialServices } from './model.ts';

export type Relation = 'block' | 'mute';

export const relationKeys: Record<Relation, { own: typeof keys.block; twin: typeof keys.block }> = {
  block: { own: keys.block, twin: keys.blockedBy },
  mute: { own: keys.mute, twin: keys.mutedBy },
};

/** The two parties of a block or mute, validated; nobody blocks or mutes themselves. */
export function relationParties(actorId: string, targetId: string, relation: Relation): [string, string] {
  const actor = requireUserId(actorId);
  const target = requireUserId(targetId, 'userId');
  if (actor === target) throw new PlazaError('BadInput', `You cannot ${relation} yourself`);
  return [actor, target];
}

/** The two items of a relation: the actor's, and the twin in the target's partition. */
export function relationItems(relation: Relation, actor: string, target: string, createdAt: string): Item[] {
  const { own, twin } = relationKeys[relation];
  const attributes = { actorId: actor, targetId: target, createdAt };
  return [
    { ...own(actor, target), ...attributes },
    { ...twin(target, actor), ...attributes },
  ];
}

/**
 * The other item of a relation, from one item's sort key in `userId`'s partition (undefined for
 * anything else): what erasing an account deletes beside its own items, so no block or mute of
 * a deleted user is left in anyone's partition.
 */
export function relationTwin(userId: string, sortKey: string): Key | undefined {
  const twins: [string, (other: string, user: string) => Key][] = [
    [sortPrefixes.block, keys.blockedBy],
    [sortPrefixes.blockedBy, keys.block],
    [sortPrefixes.mute, keys.mutedBy],
    [sortPrefixes.mutedBy, keys.mute],
  ];
  for (const [prefix, twin] of twins)
    if (sortKey.startsWith(prefix)) return twin(idAfter(prefix, sortKey), userId);
  return undefined;
}

/** The profile attribute counting a user's items that hide others from them. */
export const hiddenCount = 'hiddenCount';

/** Whether an item of a user's partition is one `hiddenCount` counts. */
export function countsAsHidden(sortKey: string): boolean {
  return [sortPrefixes.block, sortPrefixes.blockedBy, sortPrefixes.mute].some((prefix) =>
    sortKey.startsWith(prefix),
  );
}

/**
 * Whom a viewer's reads may hide, by the viewer's profile: nobody when its count is 0, or
 * unknown (`undefined`) for a profile that has no count yet.
 */
export function hidesNobody(profile: Item | undefined): boolean {
  return profile?.[hiddenCount] === 0;
}

/** The users whose `hiddenCount` a relation moves: both for a block, the muter for a mute. */
const countedParties = (relation: Relation, actor: string, target: string) =>
  relation === 'block' ? [actor, target] : [actor];

/** Moves the counts of a relation's parties, in the transaction that writes or removes its items. */
export function relationCountActions(
  relation: Relation,
  actor: string,
  target: string,
  by: 1 | -1,
): TransactAction[] {
  return countedParties(relation, actor, target).map((userId) => ({
    update: { key: keys.profile(userId), add: { [hiddenCount]: by } },
    // Never `add` onto a profile without a count: that would count from 0 what is more.
    conditions: [{ op: 'attributeExists', attribute: hiddenCount }],
  }));
}

/**
 * Gives the profiles among `profiles` that have no `hiddenCount` (written before it existed) one,
 * counted from their partitions. Safe beside other writers: every change of a count requires it
 * to exist, so none can commit between the counting and the setting.
 */
export async function ensureHiddenCounts(
  profiles: Item[],
  services: Pick<SocialServices, 'store'>,
): Promise<void> {
  for (const profile of profiles) {
    if (typeof profile[hiddenCount] === 'number') continue;
    const userId = text(profile.id);
    const prefixes = [sortPrefixes.block, sortPrefixes.blockedBy, sortPrefixes.mute];
    const counted = await Promise.all(prefixes.map((prefix) => idsUnder(userId, prefix, services)));
    try {
      await services.store.update({
        key: keys.profile(userId),
        set: { [hiddenCount]: counted.reduce((sum, ids) => sum + ids.size, 0) },
        conditions: [{ op: 'itemExists' }, { op: 'attributeNotExists', attribute: hiddenCount }],
      });
    } catch (error) {
      // Counted by another writer meanwhile, or the profile is gone: either way nothing to do.
      if (!isPlazaError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }
}

/** The counted parties' profiles, with their counts made sure of (consistent reads). */
export async function countedProfiles(
  relation: Relation,
  actor: string,
  target: string,
  services: Pick<SocialServices, 'store'>,
): Promise<Item[]> {
  const profiles = await getAll(services.store, countedParties(relation, actor, target).map(keys.profile), {
    consistent: true,
  });
  await ensureHiddenCounts(profiles, services);
  return profiles;
}

/** Takes a block or mute back, both items and the counts at once; taking back what is not there changes nothing. */
export async function removeRelation(
  relation: Relation,
  actor: string,
  target: string,
  services: Pick<SocialServices, 'store'>,
): Promise<void> {
  const { own, twin } = relationKeys[relation];
  await countedProfiles(relation, actor, target, services);
  try {
    await services.store.transactWrite([
      { delete: own(actor, target), conditions: [{ op: 'itemExists' }] },
      { delete: twin(target, actor) },
      ...relationCountActions(relation, actor, target, -1),
    ]);
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    const reasons = (error.details?.cancellationReasons ?? []) as CancellationReason[];
    // Not there: nothing to take back.
    if (reasons[0]?.code !== 'ConditionalCheckFailed') throw error;
  }
}

/** A transaction's condition that `ownerId` has not blocked `actorId` (writes on the owner's things). */
export function notBlockedBy(ownerId: string, actorId: string): TransactAction {
  return { check: keys.block(ownerId, actorId), conditions: [{ op: 'itemNotExists' }] };
}

export function blockedError(what: string): PlazaError {
  return new PlazaError('Unauthorized', `You cannot ${what}: they have blocked you`);
}

/**
 * What a viewer's reads leave out: whom they block; with `mutes`, whom they mute; with
 * `blockers`, who blocks them.
 */
export interface Hidden {
  mutes?: boolean;
  blockers?: boolean;
}

/**
 * Of `authorIds`, those hidden from the viewer (`Hidden`): one batch read of the items between
 * the viewer and exactly these authors, whatever the viewer's lists hold.
 */
export async function hiddenAuthors(
  viewerId: string,
  authorIds: Iterable<string>,
  { store }: Pick<SocialServices, 'store'>,
  options: Hidden = {},
): Promise<Set<string>> {
  const others = [...new Set(authorIds)].filter((id) => id !== viewerId);
  return hiddenIn(await getAll(store, hiddenKeys(viewerId, others, options)));
}

/** The keys `hiddenAuthors` reads, for callers that fold them into a batch read of their own. */
export function hiddenKeys(viewerId: string, authorIds: string[], options: Hidden = {}): Key[] {
  return authorIds.flatMap((id) => [
    keys.block(viewerId, id),
    ...(options.mutes ? [keys.mute(viewerId, id)] : []),
    ...(options.blockers ? [keys.blockedBy(viewerId, id)] : []),
  ]);
}

/** The authors a batch read of `hiddenKeys` found (other items in the batch are passed over). */
export function hiddenIn(items: Item[]): Set<string> {
  const hidden = new Set<string>();
  for (const item of items) {
    const sortKey = text(item.SK);
    if (sortKey.startsWith(sortPrefixes.blockedBy)) hidden.add(text(item.actorId));
    else if (sortKey.startsWith(sortPrefixes.block) || sortKey.startsWith(sortPrefixes.mute))
      hidden.add(text(item.targetId));
  }
  return hidden;
}

/** Everyone who blocks `userId`, from the `BLOCKED_BY#` twins in the user's own partition. */
export function blockersOf(userId: string, services: Pick<SocialServices, 'store'>): Promise<Set<string>> {
  return idsUnder(userId, sortPrefixes.blockedBy, services);
}

/** Everyone `userId` blocks. */
export function blockedUsers(userId: string, services: Pick<SocialServices, 'store'>): Promise<Set<string>> {
  return idsUnder(userId, sortPrefixes.block, services);
}

/** Everyone `userId` mutes (their stories bar leaves them out). */
export function mutedUsers(userId: string, services: Pick<SocialServices, 'store'>): Promise<Set<string>> {
  return idsUnder(userId, sortPrefixes.mute, services);
}

async function idsUnder(
  userId: string,
  prefix: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<Set<string>> {
  const ids = new Set<string>();
  const request = {
    partition: partitions.user(userId),
    sortKey: { op: 'beginsWith' as const, value: prefix },
  };
  for await (const items of pages(store, { ...request, limit: 500 }))
    for (const item of items) ids.add(idAfter(prefix, item.SK));
  return ids;
}
