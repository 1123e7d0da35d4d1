/**
 * Notifications, written by a change-stream consumer (ADR 0009), so a follow, like, comment or
 * mention notifies however it was written: GraphQL, `plaza seed`, a restore, a Lambda. On AWS it
 * runs inside the feed fan-out's stream Lambda (a shard allows two readers).
 *
 *   POST#<id> / LIKE#USER#<u>     the post's author: one LIKE per post, updated in place
 *   POST#<id> / COMMENT#<c>       the post's author (COMMENT), and whom the comment @mentions
 *   POST#<id> / METADATA          whom the description @mentions
 *   USER#<id> / FOLLOWER#<u>      the followed user (FOLLOW)
 *
 * Their REMOVE records (an unlike, a deletion, an unfollow, a block, an erasure's cascade) take
 * the notification back, so no notification outlives what it is about, nor an erased actor.
 * Nobody is notified of their own doing, nor by someone they block or mute or who blocks them;
 * an account that is gone gets nothing (each write checks its profile in the same transaction).
 *
 * Delivery is at-least-once: a notification is keyed by what it is about and stamped with that
 * thing's time, so a change seen twice writes the same item and counts it unread once.
 */
import type { Logger } from '../../platform/logger.ts';
import { isPlazaError } from '../../platform/errors.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { CancellationReason, Item, Key, StreamRecord } from '../../ports/item-store/item-store.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { newImage, oldImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { idAfter, keys, notificationsIndex, partitions, sortPrefixes } from './keys.ts';
import type { SocialServices } from './model.ts';
import {
  actorsShown,
  toNotification,
  toNotificationState,
  type NotificationState,
  type NotificationType,
} from './notification-model.ts';
import { hiddenIn, hiddenKeys, hidesNobody } from './relations.ts';
import { mentionsIn } from './text-tags.ts';

type Services = Pick<SocialServices, 'store'>;

interface NewNotification {
  type: NotificationType;
  about: string;
  actorIds: string[];
  at: string;
  postId?: string;
  commentId?: string;
  /** LIKE only: how many like the post, the author aside. */
  likers?: number;
}

/** Notifications written at once for different posts and follows (one SQLite commit takes them together). */
const laneConcurrency = 8;

/** One record's part, in a lane of records that must be handled in order (one post's, one follow's). */
type Step = (services: Services) => Promise<void>;

interface Like {
  actorId: string;
  at: string;
}

/** Returns how many records changed a notification. */
export async function notifyFromChanges(
  records: StreamRecord[],
  services: Services,
  logger?: Logger,
): Promise<number> {
  // Records about one post (or one follow) stay in order; different ones go at once. A run of likes
  // of one post is one write: a hot post's hundred likes in a batch move its notification once.
  const lanes = new Map<string, { steps: Step[]; likes?: { postId: string; likes: Like[] } }>();
  let acted = 0;
  for (const record of records) {
    if (record.eventName === 'MODIFY') continue;
    // Keys first: most records (feed entries, counters, notifications themselves) concern nothing here.
    const { PK: pk, SK: sk } = recordKey(record);
    const about = pk.startsWith('POST#')
      ? sk.startsWith(sortPrefixes.like) || sk.startsWith(sortPrefixes.comment) || sk === 'METADATA'
      : pk.startsWith('USER#') && sk.startsWith(sortPrefixes.follower);
    if (!about) continue;
    const inserted = record.eventName === 'INSERT';
    const item = inserted ? newImage(record) : oldImage(record);
    if (!item) continue;
    const laneKey = `${pk}\u0000${pk.startsWith('POST#') ? '' : sk}`;
    const lane = lanes.get(laneKey) ?? { steps: [] };
    lanes.set(laneKey, lane);
    acted++;
    logger?.debug(
      { eventID: record.eventID, sequenceNumber: record.dynamodb.SequenceNumber, pk, sk },
      'notifications updated',
    );
    if (sk.startsWith(sortPrefixes.like) && inserted) {
      const like = { actorId: idAfter(sortPrefixes.like, sk), at: String(item.createdAt) };
      if (lane.likes) lane.likes.likes.push(like);
      else {
        const run = (lane.likes = { postId: idAfter('POST#', pk), likes: [like] });
        lane.steps.push((services) => liked(run.postId, run.likes, services));
      }
      continue;
    }
    delete lane.likes;
    lane.steps.push(stepOf(pk, sk, inserted, item));
  }
  const all = [...lanes.values()];
  for (let start = 0; start < all.length; start += laneConcurrency)
    await Promise.all(
      all.slice(start, start + laneConcurrency).map(async ({ steps }) => {
        for (const step of steps) await step(services);
      }),
    );
  return acted;
}

/** What one record (other than a like) does. */
function stepOf(pk: string, sk: string, inserted: boolean, item: Item): Step {
  if (sk.startsWith(sortPrefixes.like)) {
    const postId = idAfter('POST#', pk);
    const actorId = idAfter(sortPrefixes.like, sk);
    return (services) => unliked(postId, actorId, services);
  }
  if (sk.startsWith(sortPrefixes.comment))
    return (services) => (inserted ? commented(item, services) : uncommented(item, services));
  if (sk === 'METADATA') return (services) => (inserted ? posted(item, services) : unposted(item, services));
  const recipient = idAfter('USER#', pk);
  const actorId = idAfter(sortPrefixes.follower, sk);
  const follow = { type: 'FOLLOW' as const, about: `FOLLOW#${actorId}`, actorIds: [actorId] };
  return (services) =>
    inserted
      ? notify(recipient, { ...follow, at: String(item.createdAt) }, services)
      : remove(recipient, follow.about, services);
}

/**
 * What a write for `recipient` needs: whom of `actorIds` they do not hear from (a block either way,
 * a mute), their notification `about`, their read state, and the `extra` items. One batch read, and
 * a second for the blocks and mutes only when the recipient's profile says they hide anyone.
 */
async function readFor(
  recipient: string,
  actorIds: string[],
  about: string,
  extra: Key[],
  { store }: Services,
) {
  const items = await getAll(store, [
    keys.profile(recipient),
    keys.notification(recipient, about),
    keys.notificationState(recipient),
    ...extra,
  ]);
  const find = (key: Key) => items.find((item) => item.PK === key.PK && item.SK === key.SK);
  const profile = find(keys.profile(recipient));
  const hidden = hidesNobody(profile)
    ? new Set<string>()
    : hiddenIn(await getAll(store, hiddenKeys(recipient, actorIds, { mutes: true, blockers: true })));
  return {
    /** No profile: the account is gone, and gets nothing. */
    gone: profile === undefined,
    hidden,
    existing: find(keys.notification(recipient, about)),
    state: toNotificationState(find(keys.notificationState(recipient))),
    items,
  };
}

/** A follow, comment or mention: written unless the actor is the recipient or hidden from them, or it is there already. */
async function notify(recipient: string, notification: NewNotification, services: Services): Promise<void> {
  const [actorId] = notification.actorIds;
  if (!actorId || actorId === recipient) return;
  const { gone, hidden, existing, state } = await readFor(
    recipient,
    [actorId],
    notification.about,
    [],
    services,
  );
  if (gone || hidden.size > 0 || (existing && String(existing.at) >= notification.at)) return;
  await put(recipient, notification, existing, state, services);
}

/**
 * Likes join the post's one LIKE notification: each liker first among its actors, its time moved to
 * the latest like. `likes` are one post's, oldest first.
 */
async function liked(postId: string, likes: Like[], services: Services): Promise<void> {
  const { item: post } = await services.store.get(keys.post(postId));
  if (!post) return;
  const recipient = String(post.authorId);
  const others = likes.filter((like) => like.actorId !== recipient);
  if (others.length === 0) return;
  const about = `LIKE#${postId}`;
  const { gone, hidden, existing, state, items } = await readFor(
    recipient,
    [...new Set(others.map((like) => like.actorId))],
    about,
    [keys.like(postId, recipient)],
    services,
  );
  if (gone) return;
  const previous = existing && toNotification(existing, '');
  let actorIds = previous?.actorIds ?? [];
  let at = previous?.createdAt ?? '';
  for (const { actorId, at: likedAt } of others) {
    // A like seen before (a redelivery), or older than the latest shown: nothing to move.
    if (hidden.has(actorId) || at > likedAt || (at === likedAt && actorIds.includes(actorId))) continue;
    actorIds = [actorId, ...actorIds.filter((id) => id !== actorId)].slice(0, actorsShown);
    at = likedAt;
  }
  if (previous && at === previous.createdAt && actorIds === previous.actorIds) return;
  if (actorIds.length === 0) return;
  const selfLiked = items.some((item) => item.SK === keys.like(postId, recipient).SK);
  const likers = Math.max(actorIds.length, Number(post.likeCount ?? 0) - (selfLiked ? 1 : 0));
  await put(recipient, { type: 'LIKE', about, actorIds, at, postId, likers }, existing, state, services);
}

/** An unlike takes its liker out of the post's LIKE notification, and the notification when none is left. */
async function unliked(postId: string, actorId: string, services: Services): Promise<void> {
  const { item: post } = await services.store.get(keys.post(postId));
  // A post gone takes its notification with it (`unposted`).
  if (!post) return;
  const recipient = String(post.authorId);
  const about = `LIKE#${postId}`;
  const { existing, state } = await readFor(recipient, [actorId], about, [], services);
  const previous = existing && toNotification(existing, '');
  if (!previous?.actorIds.includes(actorId)) return;
  const actorIds = previous.actorIds.filter((id) => id !== actorId);
  if (actorIds.length === 0) return remove(recipient, about, services);
  const likers = Math.max(actorIds.length, previous.othersCount);
  await put(
    recipient,
    { type: 'LIKE', about, actorIds, at: previous.createdAt, postId, likers },
    existing,
    state,
    services,
  );
}

async function commented(comment: Item, services: Services): Promise<void> {
  const postId = String(comment.postId);
  const commentId = String(comment.id);
  const actorId = String(comment.authorId);
  const about = { postId, commentId, actorIds: [actorId], at: String(comment.createdAt) };
  const { item: post } = await services.store.get(keys.post(postId));
  const postAuthor = post ? String(post.authorId) : undefined;
  if (postAuthor)
    await notify(
      postAuthor,
      { ...about, type: 'COMMENT', about: `COMMENT#${postId}#${commentId}` },
      services,
    );
  // The post's author hears of the comment once, as a COMMENT, mentioned in it or not.
  for (const recipient of await mentioned(String(comment.content), services))
    if (recipient !== postAuthor)
      await notify(
        recipient,
        { ...about, type: 'MENTION', about: `MENTION#${postId}#${commentId}` },
        services,
      );
}

async function uncommented(comment: Item, services: Services): Promise<void> {
  const postId = String(comment.postId);
  const commentId = String(comment.id);
  const { item: post } = await services.store.get(keys.post(postId));
  if (post) await remove(String(post.authorId), `COMMENT#${postId}#${commentId}`, services);
  for (const recipient of await mentioned(String(comment.content), services))
    await remove(recipient, `MENTION#${postId}#${commentId}`, services);
}

async function posted(post: Item, services: Services): Promise<void> {
  const postId = String(post.id);
  const notification = {
    type: 'MENTION' as const,
    about: `MENTION#${postId}`,
    actorIds: [String(post.authorId)],
    at: String(post.createdAt),
    postId,
  };
  for (const recipient of await mentioned(String(post.description ?? ''), services))
    await notify(recipient, notification, services);
}

/** A post gone: its likes and comments notified its author, its description whom it mentioned. */
async function unposted(post: Item, services: Services): Promise<void> {
  const postId = String(post.id);
  const authorId = String(post.authorId);
  await remove(authorId, `LIKE#${postId}`, services);
  for await (const comments of pages(services.store, {
    partition: partitions.user(authorId),
    sortKey: { op: 'beginsWith', value: `${sortPrefixes.notification}COMMENT#${postId}#` },
    limit: 100,
  }))
    for (const item of comments)
      await remove(authorId, idAfter(sortPrefixes.notification, item.SK), services);
  for (const recipient of await mentioned(String(post.description ?? ''), services))
    await remove(recipient, `MENTION#${postId}`, services);
}

/** The users a text mentions, through the username claims (unknown names are nobody). */
async function mentioned(text: string, { store }: Services): Promise<string[]> {
  const names = mentionsIn(text);
  if (names.length === 0) return [];
  const claims = await getAll(store, names.map(keys.usernameClaim));
  return [...new Set(claims.map((claim) => String(claim.userId)))];
}

/**
 * Writes a notification and moves the unread count by what changed: one more unread unless it was
 * unread already. The recipient's profile is checked in the same transaction: an account erased
 * meanwhile gets no item its erasure would not find.
 */
async function put(
  recipient: string,
  notification: NewNotification,
  existing: Item | undefined,
  state: NotificationState,
  { store }: Services,
): Promise<void> {
  const wasUnread = existing !== undefined && String(existing.at) > state.readUpTo;
  const delta = (notification.at > state.readUpTo ? 1 : 0) - (wasUnread ? 1 : 0);
  const { about, at, ...fields } = notification;
  await unlessGone(
    store.transactWrite([
      { check: keys.profile(recipient), conditions: [{ op: 'itemExists' }] },
      {
        put: {
          ...keys.notification(recipient, about),
          ...notificationsIndex(recipient, at, about),
          ...withoutUndefined(fields),
          about,
          at,
          recipientId: recipient,
        },
      },
      ...(delta !== 0
        ? [{ update: { key: keys.notificationState(recipient), add: { unread: delta } } }]
        : []),
    ]),
  );
}

/** Takes a notification back, and its unread count with it; one already gone changes nothing. */
async function remove(recipient: string, about: string, { store }: Services): Promise<void> {
  const key = keys.notification(recipient, about);
  const items = await getAll(store, [key, keys.notificationState(recipient)]);
  const existing = items.find((item) => item.SK === key.SK);
  if (!existing) return;
  const state = toNotificationState(items.find((item) => item.SK === keys.notificationState(recipient).SK));
  const unread = String(existing.at) > state.readUpTo;
  await unlessGone(
    store.transactWrite([
      { delete: key, conditions: [{ op: 'itemExists' }] },
      ...(unread
        ? [
            {
              update: { key: keys.notificationState(recipient), add: { unread: -1 } },
              conditions: [{ op: 'itemExists' as const }],
            },
          ]
        : []),
    ]),
  );
}

/** A write whose condition failed found its recipient or notification gone: nothing left to do. */
async function unlessGone(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    const reasons = (error.details?.cancellationReasons ?? []) as CancellationReason[];
    if (!reasons.some((reason) => reason.code === 'ConditionalCheckFailed')) throw error;
  }
}

function withoutUndefined(fields: Record<string, unknown>): Item {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Item;
}
