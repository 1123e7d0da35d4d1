import { useEffect, useState } from 'react';
import { gql, subscribe } from '../api/client.ts';
import { onNotificationSubscription, unreadNotificationCountQuery } from '../api/documents.ts';
import { Link, useLocation } from '../router.tsx';

/** Said by the notifications screen once it has marked them read. */
export const notificationsReadEvent = 'plaza:notifications-read';

/** The bell in the top bar: the unread count, read again whenever a notification arrives live. */
export function NotificationBell() {
  const { pathname } = useLocation();
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    let live = true;
    const refresh = () =>
      gql<{ unreadNotificationCount: number }>(unreadNotificationCountQuery).then(
        (data) => live && setUnread(data.unreadNotificationCount),
        () => {},
      );
    void refresh();
    const stop = subscribe(onNotificationSubscription, {}, { onData: () => void refresh() });
    window.addEventListener(notificationsReadEvent, refresh);
    return () => {
      live = false;
      stop();
      window.removeEventListener(notificationsReadEvent, refresh);
    };
  }, []);
  const label = unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
  return (
    <Link
      to="/notifications"
      aria-label={label}
      aria-current={pathname === '/notifications' ? 'page' : undefined}
      className="nav-link bell"
    >
      <span aria-hidden="true">🔔</span>
      <span className="nav-text">Notifications</span>
      {unread > 0 && (
        <span className="badge" aria-hidden="true" data-testid="unread-count">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </Link>
  );
}
