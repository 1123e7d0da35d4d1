/**
 * Live events for subscriptions, read from the change stream (ADR 0009): a post, comment or like
 * reaches subscribers however it was written — a resolver, `plaza seed` in another process, a
 * restore, a Lambda — because the table's change is the event, not the request that made it.
 *
 * Topics keep the names of the mutations that AppSync's @aws_subscribe lists, so the schema's
 * subscriptions read the same either way. Payloads are what the mutation returns, built from the
 * record's new image, so no read is needed.
 */
import type { Logger } from '../../platform/logger.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import { newImage, oldImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { sortPrefixes } from './keys.ts';
import { toComment, toPost, type Comment, type Post } from './model.ts';
import { toNotification, type Notification } from './notification-model.ts';

export interface LiveEvent {
  /** `notification` has no mutation: the notifications consumer writes it (notify.ts). */
  topic: 'createPost' | 'addComment' | 'likePost' | 'notification';
  payload: Post | Comment | Notification;
}

export interface LiveEventServices {
  publish(topic: LiveEvent['topic'], payload: LiveEvent['payload']): void;
  /** Seconds since the epoch. */
  now(): number;
  /**
   * A change older than this is not live any more: after a restart the consumer catches up on
   * what it missed, and subscribers who reconnected have read it already.
   */
  maxAgeSeconds: number;
}

/** The live event a change is, if any: decoded only when its keys say it may be one. */
export function liveEventOf(record: StreamRecord): LiveEvent | undefined {
  const { PK: pk, SK: sk } = recordKey(record);
  if (pk.startsWith('USER#') && sk.startsWith(sortPrefixes.notification)) return notificationEvent(record);
  if (!pk.startsWith('POST#')) return undefined;
  if (sk === 'METADATA') {
    const post = newImage(record);
    if (!post) return undefined;
    if (record.eventName === 'INSERT') return { topic: 'createPost', payload: toPost(post) };
    // A like moves the post's count up in the same transaction as the like's own item: the
    // post's new image is the payload subscribers of onLikePost get (an unlike is not an event).
    const before = oldImage(record);
    if (before && Number(post.likeCount ?? 0) > Number(before.likeCount ?? 0)) {
      return { topic: 'likePost', payload: toPost(post) };
    }
    return undefined;
  }
  if (sk.startsWith(sortPrefixes.comment) && record.eventName === 'INSERT') {
    const comment = newImage(record);
    return comment ? { topic: 'addComment', payload: toComment(comment) } : undefined;
  }
  return undefined;
}

/**
 * Publishes the live events among the records; each is logged with its stream ids and the item's
 * id, which the response to the request that wrote the item carries.
 */
export async function publishLiveEvents(
  records: StreamRecord[],
  services: LiveEventServices,
  logger?: Logger,
): Promise<number> {
  const oldest = services.now() - services.maxAgeSeconds;
  let published = 0;
  for (const record of records) {
    if (record.dynamodb.ApproximateCreationDateTime < oldest) continue;
    const event = liveEventOf(record);
    if (!event) continue;
    services.publish(event.topic, event.payload);
    published++;
    logger?.debug(
      {
        topic: event.topic,
        id: event.payload.id,
        eventID: record.eventID,
        sequenceNumber: record.dynamodb.SequenceNumber,
      },
      'live event published',
    );
  }
  return published;
}

/**
 * A notification written or moved up (a new like on its post) reaches its recipient, unread; one
 * rewritten without moving (an unlike) is no news. The hub delivers it to its recipient alone.
 */
function notificationEvent(record: StreamRecord): LiveEvent | undefined {
  const notification = newImage(record);
  if (!notification || record.eventName === 'REMOVE') return undefined;
  if (record.eventName === 'MODIFY' && oldImage(record)?.at === notification.at) return undefined;
  return { topic: 'notification', payload: toNotification(notification, '') };
}
