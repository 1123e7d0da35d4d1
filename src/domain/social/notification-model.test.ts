import { describe, expect, it } from 'vitest';
import { toNotification, toNotificationState } from './notification-model.ts';

const like = {
  PK: 'USER#ada',
  SK: 'NOTIF#LIKE#p1',
  about: 'LIKE#p1',
  recipientId: 'ada',
  type: 'LIKE',
  actorIds: ['dee', 'cy', 'ben'],
  likers: 13,
  postId: 'p1',
  at: '2026-12-07T08:00:00.000Z',
};

describe('toNotification', () => {
  it('counts the likers beside the latest one, and is read once the mark reaches its last change', () => {
    expect(toNotification(like, '2026-12-07T08:00:00.000Z')).toEqual({
      id: 'LIKE#p1',
      recipientId: 'ada',
      type: 'LIKE',
      actorIds: ['dee', 'cy', 'ben'],
      othersCount: 12,
      postId: 'p1',
      createdAt: '2026-12-07T08:00:00.000Z',
      read: true,
    });
    expect(toNotification(like, '2026-12-07T07:59:59.999Z').read).toBe(false);
    expect(toNotification(like, '').read).toBe(false);
  });

  it('counts the actors when there is no likers count, and never below zero', () => {
    const { likers: _likers, ...rest } = like;
    const follow = { ...rest, about: 'FOLLOW#ben', type: 'FOLLOW', actorIds: ['ben'] };
    expect(toNotification(follow, '')).toMatchObject({ othersCount: 0, actorIds: ['ben'] });
    const { actorIds: _actorIds, ...noActors } = follow;
    expect(toNotification(noActors, '')).toMatchObject({ othersCount: 0, actorIds: [] });
    expect(toNotification({ ...follow, commentId: 'c1' }, '')).toMatchObject({ commentId: 'c1' });
  });
});

describe('toNotificationState', () => {
  it('is nothing unread and nothing read without an item, and never a negative count', () => {
    expect(toNotificationState(undefined)).toEqual({ unread: 0, readUpTo: '' });
    expect(toNotificationState({ PK: 'a', SK: 'b', unread: -2, readUpTo: 't' })).toEqual({
      unread: 0,
      readUpTo: 't',
    });
    expect(toNotificationState({ PK: 'a', SK: 'b', unread: 3 })).toEqual({ unread: 3, readUpTo: '' });
  });
});
