import { useCallback, useEffect } from 'react';
import { gql } from '../api/client.ts';
import { markNotificationsReadMutation, notificationsQuery } from '../api/documents.ts';
import type { Connection, Notification } from '../api/types.ts';
import { Avatar, displayName } from '../components/Avatar.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { notificationsReadEvent } from '../components/NotificationBell.tsx';
import { RelativeTime } from '../components/RelativeTime.tsx';
import { usePagedList } from '../lib/paged-list.ts';
import { Link } from '../router.tsx';

/** "Ada and 12 others liked your post." */
export function notificationText(notification: Notification): string {
  const who = displayName(notification.actor);
  const others = notification.othersCount;
  const actors = others > 0 ? `${who} and ${others} ${others === 1 ? 'other' : 'others'}` : who;
  switch (notification.type) {
    case 'FOLLOW':
      return `${actors} followed you`;
    case 'LIKE':
      return `${actors} liked your post`;
    case 'COMMENT':
      return `${actors} commented: ${notification.comment?.content ?? ''}`;
    case 'MENTION':
      return `${actors} mentioned you: ${notification.comment?.content ?? notification.post?.description ?? ''}`;
  }
}

export function Notifications() {
  const fetchPage = useCallback(
    async (nextToken: string | null) =>
      (await gql<{ notifications: Connection<Notification> }>(notificationsQuery, { limit: 20, nextToken }))
        .notifications,
    [],
  );
  const list = usePagedList(fetchPage, 'notifications');
  const newest = list.state.items[0]?.createdAt;
  // What is on screen has been seen: marked read up to the newest shown, so one arriving meanwhile stays unread.
  useEffect(() => {
    if (!newest) return;
    void gql(markNotificationsReadMutation, { upTo: newest }).then(
      () => window.dispatchEvent(new Event(notificationsReadEvent)),
      () => {},
    );
  }, [newest]);
  return (
    <section>
      <h1>Notifications</h1>
      {!list.state.initial && list.state.items.length === 0 && <p className="muted">Nothing yet.</p>}
      <ul className="notifications card" aria-label="Notifications">
        {list.state.items.map((notification) => (
          <li key={notification.id} className={notification.read ? 'read' : 'unread'}>
            <Avatar user={notification.actor} size={32} />
            <div>
              {notification.post ? (
                <Link to={`/p/${notification.post.id}`}>{notificationText(notification)}</Link>
              ) : notification.actor?.username ? (
                <Link to={`/u/${encodeURIComponent(notification.actor.username)}`}>
                  {notificationText(notification)}
                </Link>
              ) : (
                notificationText(notification)
              )}
              <div className="muted small">
                <RelativeTime iso={notification.createdAt} />
                {!notification.read && <span className="visually-hidden"> (new)</span>}
              </div>
            </div>
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
    </section>
  );
}
