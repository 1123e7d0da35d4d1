/**
 * Notifications as stored and as the API shows them. One item per thing notified about, in the
 * recipient's partition (keys.notification): a follow, a comment, a mention, and one for all the
 * likes of a post, updated in place with its latest likers ("Ada and 12 others").
 */
import type { Item } from '../../ports/item-store/item-store.ts';

export type NotificationType = 'FOLLOW' | 'LIKE' | 'COMMENT' | 'MENTION';

/** The latest likers a grouped like notification names. */
export const actorsShown = 3;

export interface Notification {
  /** What it is about (the sort key after `NOTIF#`): unique per recipient. */
  id: string;
  recipientId: string;
  type: NotificationType;
  /** Latest first. */
  actorIds: string[];
  /** Everyone else it stands for beside its latest actor ("Ada and 12 others"). */
  othersCount: number;
  postId?: string;
  commentId?: string;
  /** When it last changed: what `read` and the order are measured by. */
  createdAt: string;
  read: boolean;
}

export function toNotification(item: Item, readUpTo: string): Notification {
  const actorIds = Array.isArray(item.actorIds) ? item.actorIds.map(String) : [];
  const at = String(item.at);
  // Assigned rather than spread in, as toProfile: a page converts twenty of these.
  const notification: Notification = {
    id: String(item.about),
    recipientId: String(item.recipientId),
    type: String(item.type) as NotificationType,
    actorIds,
    // The likers the post counts (the author's own like aside), less the latest.
    othersCount: Math.max(0, Number(item.likers ?? actorIds.length) - 1),
    createdAt: at,
    read: at <= readUpTo,
  };
  if (typeof item.postId === 'string') notification.postId = item.postId;
  if (typeof item.commentId === 'string') notification.commentId = item.commentId;
  return notification;
}

export interface NotificationState {
  unread: number;
  /** Notifications that last changed at or before this time are read ('' when none is). */
  readUpTo: string;
}

export function toNotificationState(item: Item | undefined): NotificationState {
  return { unread: Math.max(0, Number(item?.unread ?? 0)), readUpTo: String(item?.readUpTo ?? '') };
}
