// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '../api/types.ts';
import { notificationText } from '../screens/Notifications.tsx';
import { RichText } from './RichText.tsx';

const api = vi.hoisted(() => ({ unread: 0, onData: undefined as undefined | (() => void), stopped: false }));
vi.mock('../api/client.ts', () => ({
  gql: async (query: string) => {
    if (query.includes('unreadNotificationCount')) return { unreadNotificationCount: api.unread };
    throw new Error(`unexpected ${query}`);
  },
  subscribe: (query: string, _variables: unknown, handlers: { onData(): void }) => {
    if (!query.includes('onNotification')) throw new Error(`unexpected ${query}`);
    api.onData = handlers.onData;
    return () => (api.stopped = true);
  },
}));
const { NotificationBell, notificationsReadEvent } = await import('./NotificationBell.tsx');

afterEach(cleanup);
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('NotificationBell', () => {
  it('shows the unread count, read again when a notification arrives and when they are read', async () => {
    api.unread = 2;
    const { unmount } = render(<NotificationBell />);
    await settle();
    expect(screen.getByRole('link', { name: 'Notifications, 2 unread' }).getAttribute('href')).toBe(
      '/notifications',
    );
    api.unread = 3;
    api.onData?.();
    await settle();
    expect(screen.getByTestId('unread-count').textContent).toBe('3');
    api.unread = 0;
    window.dispatchEvent(new Event(notificationsReadEvent));
    await settle();
    expect(screen.queryByTestId('unread-count')).toBeNull();
    expect(screen.getByRole('link', { name: 'Notifications' })).toBeTruthy();
    unmount();
    expect(api.stopped).toBe(true);
  });
});

describe('RichText', () => {
  it('links hashtags to their page and mentions to the profile, and leaves the rest as text', () => {
    render(
      <p>
        <RichText text="Sunset #Beach_Day with @Ada.K, mail a@b.com &#39; #2026" />
      </p>,
    );
    const links = screen.getAllByRole('link');
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['#Beach_Day', '/tag/beach_day'],
      ['@Ada.K', '/u/ada.k'],
    ]);
  });
});

describe('notificationText', () => {
  const base: Notification = {
    id: 'n',
    type: 'LIKE',
    read: false,
    othersCount: 12,
    createdAt: '2026-01-01T00:00:00Z',
    actor: { id: 'a', username: 'ada', displayName: 'Ada', avatar: null },
    post: { id: 'p', description: 'x' },
    comment: null,
  };
  it('groups likes and says what happened', () => {
    expect(notificationText(base)).toBe('Ada and 12 others liked your post');
    expect(notificationText({ ...base, othersCount: 1 })).toBe('Ada and 1 other liked your post');
    expect(notificationText({ ...base, type: 'FOLLOW', othersCount: 0, post: null })).toBe(
      'Ada followed you',
    );
    expect(
      notificationText({
        ...base,
        type: 'MENTION',
        othersCount: 0,
        comment: { id: 'c', content: 'hi @you' },
      }),
    ).toBe('Ada mentioned you: hi @you');
  });
});
