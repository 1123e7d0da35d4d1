import { getAll } from '../../ports/item-store/batch.ts';
import { keys, notificationsPartition } from './keys.ts';
import { pageSize, requireUserId, type Page, type SocialServices } from './model.ts';
import { toNotification, toNotificationState, type Notification } from './notification-model.ts';
import { hiddenAuthors, hidesNobody } from './relations.ts';

/**
 * The viewer's notifications, latest change first, from GSI1's `NOTIFS#<userId>` partition (a key
 * query), read beside the viewer's read mark and profile. Notifications whose every actor the
 * viewer has come to block or mute since are left out: one more batch read, unless the profile
 * says the viewer hides nobody (as nearly everyone).
 */
export async function listNotifications(
  viewerId: string,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
): Promise<Page<Notification>> {
  const viewer = requireUserId(viewerId);
  const [page, own] = await Promise.all([
    services.store.query({
      index: 'GSI1',
      partition: notificationsPartition(viewer),
      descending: true,
      limit: pageSize(options.limit),
      ...(options.cursor ? { cursor: options.cursor } : {}),
    }),
    getAll(services.store, [keys.notificationState(viewer), keys.profile(viewer)]),
  ]);
  const { readUpTo } = toNotificationState(own.find((item) => item.SK === keys.notificationState(viewer).SK));
  const notifications = page.items.map((item) => toNotification(item, readUpTo));
  if (hidesNobody(own.find((item) => item.SK === keys.profile(viewer).SK)))
    return { items: notifications, cursor: page.cursor };
  const hidden = await hiddenAuthors(
    viewer,
    notifications.flatMap((notification) => notification.actorIds),
    services,
    { mutes: true },
  );
  return {
    items: notifications.filter((notification) => notification.actorIds.some((id) => !hidden.has(id))),
    cursor: page.cursor,
  };
}

/** The viewer's unread count: one get of the counter the notifications consumer keeps. */
export async function unreadNotificationCount(
  viewerId: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<number> {
  const { item } = await store.get(keys.notificationState(requireUserId(viewerId)));
  return toNotificationState(item).unread;
}
