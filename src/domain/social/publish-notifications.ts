/**
 * Notifications to subscribers that are not this process's: on AWS, AppSync's onNotification fires
 * only on a mutation, so the stream consumer hands each notification it sees written or moved up to
 * a publisher (a signed publishNotification). Which changes are live is live-events.ts's rule, the
 * same the server's own hub applies.
 *
 * Best effort, as live delivery is on the server: a failed publish is logged, never thrown, so an
 * unreachable API cannot hold up the home feeds that share the consumer's batches; the recipient
 * still finds the notification in `notifications`.
 */
import type { Logger } from '../../platform/logger.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import type { NotificationPublisher } from '../../ports/notification-publisher.ts';
import { liveEventOf } from './live-events.ts';
import type { Notification } from './notification-model.ts';

export interface NotificationPublishing {
  publisher: NotificationPublisher;
  /** Seconds since the epoch. */
  now(): number;
  /** A change older than this is not live any more (a batch retried long after). */
  maxAgeSeconds: number;
}

/** Publishes the batch's live notifications together; resolves to how many were published. */
export async function publishNotifications(
  records: StreamRecord[],
  services: NotificationPublishing,
  logger?: Logger,
): Promise<number> {
  const oldest = services.now() - services.maxAgeSeconds;
  const notifications: Notification[] = [];
  for (const record of records) {
    if (record.dynamodb.ApproximateCreationDateTime < oldest) continue;
    const event = liveEventOf(record);
    if (event?.topic === 'notification') notifications.push(event.payload as Notification);
  }
  const outcomes = await Promise.allSettled(
    notifications.map(({ recipientId, id }) => services.publisher.publish({ recipientId, id })),
  );
  let published = 0;
  outcomes.forEach((outcome, index) => {
    const { recipientId, id } = notifications[index] as Notification;
    if (outcome.status === 'fulfilled') published++;
    else logger?.error({ err: outcome.reason, recipientId, id }, 'notification not published');
  });
  return published;
}
