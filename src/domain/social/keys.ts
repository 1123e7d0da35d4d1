/**
 * The design's single-table layout (ARCHITECTURE.md), in one place. Every
 * key the social domain reads or writes is built here, from ids the domain
 * has validated, so the layout can be read (and changed) in one file.
 */
import type { Item, Key } from '../../ports/item-store/item-store.ts';

const likeSortKey = (userId: string) => `LIKE#USER#${userId}`;

export const keys = {
  profile: (userId: string): Key => ({ PK: `USER#${userId}`, SK: 'PROFILE' }),
  usernameClaim: (username: string): Key => ({ PK: `USERNAME#${username.toLowerCase()}`, SK: 'USERNAME' }),
  userPost: (userId: string, postId: string): Key => ({ PK: `USER#${userId}`, SK: `POST#${postId}` }),
  post: (postId: string): Key => ({ PK: `POST#${postId}`, SK: 'METADATA' }),
  like: (postId: string, userId: string): Key => ({ PK: `POST#${postId}`, SK: likeSortKey(userId) }),
  /**
   * One user's likes of a page of posts, by the posts' keys: each key string made once for the
   * page, as a string made anew is hashed anew by every map it is looked up in.
   */
  likesOf: (userId: string): ((post: Key) => Key) => {
    const SK = likeSortKey(userId);
    return (post) => ({ PK: post.PK, SK });
  },
  comment: (postId: string, commentId: string): Key => ({ PK: `POST#${postId}`, SK: `COMMENT#${commentId}` }),
  follower: (userId: string, followerId: string): Key => ({
    PK: `USER#${userId}`,
    SK: `FOLLOWER#${followerId}`,
  }),
  following: (userId: string, followeeId: string): Key => ({
    PK: `USER#${userId}`,
    SK: `FOLLOWING#${followeeId}`,
  }),
  story: (userId: string, storyId: string): Key => ({ PK: `USER#${userId}`, SK: `STORY#${storyId}` }),
  feedEntry: (userId: string, postId: string): Key => ({ PK: `FEED#${userId}`, SK: postId }),
  /**
   * A block or mute is two items, one in each user's partition, so either side answers
   * "is there a block between us" with one get, and erasing either account finds both.
   */
  block: (userId: string, blockedId: string): Key => ({ PK: `USER#${userId}`, SK: `BLOCK#${blockedId}` }),
  blockedBy: (userId: string, blockerId: string): Key => ({
    PK: `USER#${userId}`,
    SK: `BLOCKED_BY#${blockerId}`,
  }),
  mute: (userId: string, mutedId: string): Key => ({ PK: `USER#${userId}`, SK: `MUTE#${mutedId}` }),
  mutedBy: (userId: string, muterId: string): Key => ({ PK: `USER#${userId}`, SK: `MUTED_BY#${muterId}` }),
  /**
   * A notification, in its recipient's partition (so erasing the account sweeps it), keyed by what
   * it is about (`LIKE#<postId>`, `COMMENT#<postId>#<commentId>`, `FOLLOW#<userId>`,
   * `MENTION#<postId>[#<commentId>]`): the change that undoes it finds it without a read.
   */
  notification: (userId: string, about: string): Key => ({ PK: `USER#${userId}`, SK: `NOTIF#${about}` }),
  /** The recipient's unread count and how far they have read: one item, so the count is one get. */
  notificationState: (userId: string): Key => ({ PK: `USER#${userId}`, SK: 'NOTIFICATIONS' }),
  /** A post under one of its hashtags; the post id (a ULID) sorts the tag's posts by time. */
  hashtagPost: (tag: string, postId: string): Key => ({ PK: `HASHTAG#${tag}`, SK: `POST#${postId}` }),
  /** A report of a post, comment or user to the moderators (moderation/model.ts). */
  report: (reportId: string): Key => ({ PK: `REPORT#${reportId}`, SK: 'REPORT' }),
  /** A report's twin in the reported user's partition: erasing the account finds the report. */
  reported: (userId: string, reportId: string): Key => ({ PK: `USER#${userId}`, SK: `REPORTED#${reportId}` }),
  /** Marks an author whose posts are merged into feeds at read time instead of fanned out. */
  largeAuthor: (userId: string): Key => ({ PK: 'LARGE_AUTHORS', SK: userId }),
};

export const partitions = {
  user: (userId: string) => `USER#${userId}`,
  post: (postId: string) => `POST#${postId}`,
  feed: (userId: string) => `FEED#${userId}`,
  largeAuthors: 'LARGE_AUTHORS',
  hashtag: (tag: string) => `HASHTAG#${tag}`,
};

export const sortPrefixes = {
  post: 'POST#',
  like: 'LIKE#USER#',
  comment: 'COMMENT#',
  follower: 'FOLLOWER#',
  following: 'FOLLOWING#',
  story: 'STORY#',
  block: 'BLOCK#',
  blockedBy: 'BLOCKED_BY#',
  mute: 'MUTE#',
  mutedBy: 'MUTED_BY#',
  notification: 'NOTIF#',
  reported: 'REPORTED#',
};

/**
 * GSI1, posts by time. The design's single "POST" partition would take every
 * post; one partition per day spreads them and still reads newest first.
 */
export function postsByTimeIndex(createdAt: string, postId: string): Item {
  return { GSI1PK: postsByTimePartition(createdAt), GSI1SK: `${createdAt}#${postId}` };
}

export function postsByTimePartition(isoTime: string): string {
  return `POST#${isoTime.slice(0, 10)}`;
}

/**
 * GSI2, users by username (keys only). The design's single "USER" partition
 * is sharded by the username's first character, which a prefix search knows.
 */
export function usersByNameIndex(username: string): Item {
  const lower = username.toLowerCase();
  return { GSI2PK: usersByNamePartition(lower), GSI2SK: lower };
}

export function usersByNamePartition(prefix: string): string {
  return `USER#${prefix.toLowerCase().charAt(0)}`;
}

/**
 * GSI1 overloaded: what a user made outside their own partition (likes, comments, media),
 * under `OWNER#<userId>`, so account deletion and data export find all of it with one query
 * instead of a scan. The sort key names the item: `LIKE#<postId>`, `COMMENT#<postId>#<commentId>`,
 * `MEDIA#<key>`.
 */
export function ownedByIndex(userId: string, sortKey: string): Item {
  return { GSI1PK: ownedByPartition(userId), GSI1SK: sortKey };
}

export function ownedByPartition(userId: string): string {
  return `OWNER#${userId}`;
}

/**
 * GSI1 overloaded once more: a user's notifications by the time they last changed, under
 * `NOTIFS#<userId>`, newest first (a grouped like moves up when liked again).
 */
export function notificationsIndex(userId: string, at: string, about: string): Item {
  return { GSI1PK: notificationsPartition(userId), GSI1SK: `${at}#${about}` };
}

export function notificationsPartition(userId: string): string {
  return `NOTIFS#${userId}`;
}

/**
 * GSI3 overloaded: reports by status (`REPORTS#OPEN`, `REPORTS#RESOLVED`) and time, the
 * moderators' queue oldest first.
 */
export function reportsIndex(status: string, createdAt: string, reportId: string): Item {
  return { GSI3PK: reportsPartition(status), GSI3SK: `${createdAt}#${reportId}` };
}

export function reportsPartition(status: string): string {
  return `REPORTS#${status}`;
}

/** GSI3, items by entity type and creation time. */
export function byTypeIndex(type: string, createdAt: string): Item {
  return { entityType: type, GSI3PK: type, GSI3SK: createdAt };
}

/** The id after a key's prefix ("POST#01H…" → "01H…"). */
export function idAfter(prefix: string, value: unknown): string {
  const text = String(value);
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}
