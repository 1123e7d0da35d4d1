/**
 * The home feed's reader: the viewer's `FEED#` entries (written by the
 * fan-out) merged with the recent posts of the large authors the viewer
 * follows (never fanned out), newest first, then hydrated with posts,
 * authors, the viewer's likes, and the blocks (either way) and mutes between the viewer
 * and the page's authors (whose posts are left out) in one batch read; the last only for a
 * viewer whose profile counts any (relations.ts). A page costs 1 + (large authors followed)
 * queries, the viewer's profile and 1 batch read (2 when there are large authors: which of
 * them the viewer follows), whatever its size; the list of large authors is read once in a
 * few seconds (large-authors.ts).
 */
import { getAll } from '../../ports/item-store/batch.ts';
import { PlazaError } from '../../platform/errors.ts';
import { keys, partitions, sortPrefixes } from './keys.ts';
import { largeAuthorIds } from './large-authors.ts';
import { hiddenIn, hiddenKeys, hidesNobody } from './relations.ts';
import {
  pageSize,
  requireUserId,
  text,
  toPost,
  toProfile,
  type Post,
  type Profile,
  type SocialServices,
} from './model.ts';

export interface FeedItem {
  post: Post;
  author: Profile | undefined;
  viewerHasLiked: boolean;
}

export interface FeedPage {
  items: FeedItem[];
  /** The id of the last post on the page: the next page starts below it. */
  cursor: string | undefined;
}

const ulidPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export async function homeFeed(
  viewerId: string,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store' | 'clock'>,
): Promise<FeedPage> {
  const { store } = services;
  const userId = requireUserId(viewerId);
  const limit = pageSize(options.limit);
  if (options.cursor !== undefined && !ulidPattern.test(options.cursor))
    throw new PlazaError('BadInput', 'Invalid feed cursor');
  const before = options.cursor;

  // The viewer's profile says whether anyone is hidden from them (relations.ts): read beside the
  // feed, it spares the page a key per author in the common case of nobody.
  const viewer = store.get(keys.profile(userId));
  const fanned = store.query({
    partition: partitions.feed(userId),
    ...(before ? { sortKey: { op: '<' as const, value: before } } : {}),
    descending: true,
    limit,
  });
  const large = await largeAuthorIds(services);
  const followedLarge = large.length
    ? await getAll(
        store,
        large.map((authorId) => keys.following(userId, authorId)),
      )
    : [];
  const merged = await Promise.all(
    followedLarge.map(async (edge) => {
      const authorId = text(edge.followeeId);
      const page = await store.query({
        partition: partitions.user(authorId),
        sortKey: before
          ? { op: 'between', low: sortPrefixes.post, high: `${sortPrefixes.post}${before}` }
          : { op: 'beginsWith', value: sortPrefixes.post },
        descending: true,
        limit: limit + 1,
      });
      return page.items
        .filter((item) => item.postId !== before)
        .map((item) => ({ postId: text(item.postId), authorId }));
    }),
  );
  const entries = (await fanned).items.map((item) => ({
    postId: text(item.postId),
    authorId: text(item.authorId),
  }));
  // Newest first (ULIDs sort by time), each post once. The feed's own page is that already (its
  // sort keys are the post ids); only large authors' posts merged in need sorting.
  let ordered = entries;
  if (merged.some((posts) => posts.length > 0)) {
    const seen = new Set<string>();
    ordered = entries
      .concat(merged.flat())
      .sort((a, b) => (a.postId < b.postId ? 1 : a.postId > b.postId ? -1 : 0))
      .filter((entry) => (seen.has(entry.postId) ? false : (seen.add(entry.postId), true)))
      .slice(0, limit);
  }

  const authorIds = [...new Set(ordered.map((entry) => entry.authorId))];
  const others = hidesNobody((await viewer).item) ? [] : authorIds.filter((id) => id !== userId);
  const postKeys = ordered.map((entry) => keys.post(entry.postId));
  // One batch read for the page's posts, their authors, the viewer's likes and the relations that
  // hide an author: 55 keys for a page of 20 from 15 authors, under the 100 of one BatchGetItem.
  const found = await getAll(
    store,
    postKeys
      .concat(authorIds.map(keys.profile))
      .concat(postKeys.map(keys.likesOf(userId)))
      .concat(hiddenKeys(userId, others, { mutes: true, blockers: true })),
  );
  const postsById = new Map<string, Post>();
  const authors = new Map<string, Profile>();
  const liked = new Set<string>();
  for (const item of found) {
    const sortKey = item.SK;
    if (sortKey === 'METADATA') postsById.set(text(item.id), toPost(item));
    else if (sortKey === 'PROFILE') authors.set(text(item.id), toProfile(item));
    else if (text(sortKey).startsWith(sortPrefixes.like)) liked.add(text(item.postId));
  }

  // Relations were read only for a viewer who hides someone: for anyone else there are none to find.
  const hidden = others.length > 0 ? hiddenIn(found) : undefined;
  // A deleted post may still have a feed entry until the fan-out removes it: leave it out.
  const items = ordered
    .map((entry) => postsById.get(entry.postId))
    .filter((post): post is Post => post !== undefined && !hidden?.has(post.authorId))
    .map((post) => ({ post, author: authors.get(post.authorId), viewerHasLiked: liked.has(post.id) }));
  const last = ordered[ordered.length - 1];
  return { items, cursor: ordered.length === limit && last ? last.postId : undefined };
}
