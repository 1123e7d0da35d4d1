/**
 * Blocks and mutes as the other use cases read them. Each is a pair of items (keys.ts): the
 * actor's `BLOCK#`/`MUTE#` item and the other user's `BLOCKED_BY#`/`MUTED_BY#` twin, so a write
 * can check "does the owner block me" with one key, and a live event can ask who blocks its
 * author with one query of the author's own partition.
 */
import { PlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { Item, Key, TransactAction } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { idAfter, keys, partitions, sortPrefixes } from './keys.ts';
import { requireUserId, type SocialServices } from './model.ts';

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

/** Takes a block or mute back, both items at once; taking back what is not there changes nothing. */
export async function removeRelation(
  relation: Relation,
  actor: string,
  target: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<void> {
  const { own, twin } = relationKeys[relation];
  await store.transactWrite([{ delete: own(actor, target) }, { delete: twin(target, actor) }]);
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
    const sortKey = String(item.SK);
    if (sortKey.startsWith(sortPrefixes.blockedBy)) hidden.add(String(item.actorId));
    else if (sortKey.startsWith(sortPrefixes.block) || sortKey.startsWith(sortPrefixes.mute))
      hidden.add(String(item.targetId));
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
