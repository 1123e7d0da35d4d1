/**
 * The social graph of the scale benchmark, written straight into the table
 * (not through GraphQL: 300,000 users' follows would take hours that way).
 *
 * Who follows whom follows a power law: each user follows 10 to 50 accounts
 * (density ∝ k⁻², so most follow 10 to 20), a few accounts are followed by
 * 10 % of all users, and the others are picked by rank with weight
 * 1 / (rank + 100), so a handful have thousands of followers and most a few
 * dozen. Every user has written 2 posts, liked 2, and has the 20 newest posts
 * of the accounts they follow in their feed (as the fan-out and its backfill
 * would have left it; large authors' posts are merged at read time instead).
 * The items are the ones the domain writes (keys.ts), so Plaza reads them as
 * its own.
 */
import type Database from 'better-sqlite3';
import { monotonicFactory } from 'ulid';
import {
  byTypeIndex,
  keys,
  ownedByIndex,
  partitions,
  postsByTimeIndex,
  sortPrefixes,
} from '../src/domain/social/keys.ts';
import { writeAll } from '../src/ports/item-store/batch.ts';
import type { Item, ItemStore } from '../src/ports/item-store/item-store.ts';
import { itemSize } from '../src/ports/item-store/rules.ts';
import type { TableDefinition } from '../src/ports/item-store/table.ts';
import { itemRow, upsertItemSql } from '../src/adapters/sqlite/sqlite-schema.ts';

/** Accounts followed by 10 % of all users. */
export const celebrities = 3;
const celebrityShare = 0.1;
const minFollows = 10;
const maxFollows = 50;
const rankOffset = 100;
const postsPerUser = 2;
const likesPerUser = 2;
const feedLength = 20;
const feedEntryLifetimeSeconds = 90 * 24 * 3600;
const dayMs = 24 * 3600 * 1000;

export interface GraphOptions {
  users: number;
  /** Ids (pool subs) for the users who sign in; they take evenly spread ranks, the first rank 0. */
  viewers: string[];
  /** Authors with at least this many followers are large (not fanned out), as follow-user.ts marks them. */
  fanOutFollowerLimit: number;
  now: number;
}

export interface SeedStats {
  users: number;
  posts: number;
  follows: number;
  feedEntries: number;
  likes: number;
  largeAuthors: number;
  /** Followers of the most followed account, of the median one, and the 99th percentile. */
  followers: { max: number; p99: number; median: number };
  /** Each viewer's follower count, in the order of `viewers`. */
  viewerFollowers: number[];
  /** A sample of post ids to read and like. */
  postIds: string[];
}

/** A small, fast, seeded random generator (mulberry32), so every run builds the same graph. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function viewerRanks(users: number, count: number): number[] {
  return Array.from({ length: count }, (_, v) => (v === 0 ? 0 : Math.floor((users * v) / count)));
}

interface Graph {
  ids: string[];
  /** followees[u]: the ranks u follows. */
  followees: Int32Array[];
  followers: Int32Array[];
  posts: { id: string; author: number; createdAt: string }[];
  /** postsOf[u]: indexes into posts. */
  postsOf: number[][];
  large: Set<number>;
  likes: [user: number, post: number][];
}

function buildGraph({ users, viewers, fanOutFollowerLimit, now }: GraphOptions): Graph {
  const next = random(24);
  const viewerAt = new Map(viewerRanks(users, viewers.length).map((rank, v) => [rank, viewers[v]!]));
  const ids = Array.from({ length: users }, (_, i) => viewerAt.get(i) ?? `u${String(i).padStart(7, '0')}`);
  const stars = Math.min(celebrities, users - 1);
  const followees: Int32Array[] = [];
  const followerCounts = new Int32Array(users);
  for (let u = 0; u < users; u++) {
    // Inverse transform of a density ∝ k⁻² on [min, max].
    const want = Math.floor(minFollows / (1 - next() * (1 - minFollows / maxFollows)));
    const chosen = new Set<number>();
    for (let c = 0; c < stars; c++) if (c !== u && next() < celebrityShare) chosen.add(c);
    const others = users - stars;
    for (let tries = 0; chosen.size < Math.min(want, users - 1) && tries < want * 20; tries++) {
      // Rank with weight 1 / (rank + offset): inverse transform of the continuous law.
      const rank =
        stars + Math.floor(rankOffset * ((others + rankOffset) / rankOffset) ** next() - rankOffset);
      if (rank !== u && rank < users) chosen.add(rank);
    }
    const list = Int32Array.from(chosen).sort();
    for (const f of list) followerCounts[f]!++;
    followees.push(list);
  }
  const followers = Array.from({ length: users }, (_, u) => new Int32Array(followerCounts[u]!));
  const filled = new Int32Array(users);
  for (let u = 0; u < users; u++) for (const f of followees[u]!) followers[f]![filled[f]!++] = u;
  const large = new Set<number>();
  for (let u = 0; u < users; u++) if (followerCounts[u]! >= fanOutFollowerLimit) large.add(u);

  // Posts over the last 30 days, in time order, so ids (ULIDs) sort as the times do.
  const ulid = monotonicFactory(random(7));
  const times = Array.from({ length: users * postsPerUser }, () =>
    Math.floor(now - 30 * dayMs * next()),
  ).sort((a, b) => a - b);
  const postsOf: number[][] = Array.from({ length: users }, () => []);
  const posts = times.map((time, p) => {
    const author = Math.floor(next() * users);
    postsOf[author]!.push(p);
    return { id: ulid(time), author, createdAt: new Date(time).toISOString() };
  });
  const likes: [number, number][] = [];
  for (let u = 0; u < users; u++) {
    for (let l = 0; l < likesPerUser; l++) likes.push([u, Math.floor(next() * posts.length)]);
  }
  return { ids, followees, followers, posts, postsOf, large, likes };
}

/** Every item of the graph, a partition at a time and in key order within it (SQLite appends fastest so). */
function* items(graph: Graph, now: number): Generator<Item[]> {
  const { ids, followees, followers, posts, postsOf, large, likes } = graph;
  const at = (u: number) => new Date(now - 60 * dayMs + u).toISOString();
  const likeCount = new Int32Array(posts.length);
  const likedBy: number[][] = Array.from({ length: posts.length }, () => []);
  for (const [u, p] of likes) {
    if (likedBy[p]!.includes(u)) continue;
    likedBy[p]!.push(u);
    likeCount[p]!++;
  }
  const ttl = Math.floor(now / 1000) + feedEntryLifetimeSeconds;
  const bySortKey = (a: Item, b: Item) => (a.SK! < b.SK! ? -1 : a.SK! > b.SK! ? 1 : 0);
  for (let u = 0; u < ids.length; u++) {
    const id = ids[u]!;
    const pk = partitions.user(id);
    // Built field by field: these are most of the rows, and spreads cost several times more.
    const edge = (PK: string, SK: string, follower: number, followee: number): Item => ({
      PK,
      SK,
      followerId: ids[follower]!,
      followeeId: ids[followee]!,
      createdAt: at(follower),
    });
    const partition: Item[] = [
      {
        ...keys.profile(id),
        ...byTypeIndex('USER', at(u)),
        id,
        followerCount: followers[u]!.length,
        followingCount: followees[u]!.length,
        postCount: postsOf[u]!.length,
        createdAt: at(u),
      },
      ...postsOf[u]!.map((p) => ({
        ...keys.userPost(id, posts[p]!.id),
        postId: posts[p]!.id,
        createdAt: posts[p]!.createdAt,
      })),
      ...Array.from(followers[u]!, (f) => edge(pk, `${sortPrefixes.follower}${ids[f]!}`, f, u)),
      ...Array.from(followees[u]!, (f) => edge(pk, `${sortPrefixes.following}${ids[f]!}`, u, f)),
    ];
    yield partition.sort(bySortKey);
  }
  for (const [p, post] of posts.entries()) {
    const author = ids[post.author]!;
    yield [
      {
        ...keys.post(post.id),
        ...postsByTimeIndex(post.createdAt, post.id),
        ...byTypeIndex('POST', post.createdAt),
        id: post.id,
        authorId: author,
        description: `Post ${p} by ${author}: the light over the harbour.`,
        mediaKeys: [],
        likeCount: likeCount[p]!,
        commentCount: 0,
        createdAt: post.createdAt,
      },
      ...likedBy[p]!.map((u) => ({
        ...keys.like(post.id, ids[u]!),
        ...ownedByIndex(ids[u]!, `LIKE#${post.id}`),
        userId: ids[u]!,
        postId: post.id,
        createdAt: post.createdAt,
      })),
    ].sort(bySortKey);
  }
  for (let u = 0; u < ids.length; u++) {
    const own = postsOf[u]!;
    const candidates = [...own];
    for (const f of followees[u]!) if (!large.has(f)) candidates.push(...postsOf[f]!);
    // Post indexes are in time order: the largest are the newest.
    const feed = partitions.feed(ids[u]!);
    const newest = candidates.sort((a, b) => b - a).slice(0, feedLength);
    yield newest
      .map((p) => ({
        PK: feed,
        SK: posts[p]!.id,
        postId: posts[p]!.id,
        authorId: ids[posts[p]!.author]!,
        createdAt: posts[p]!.createdAt,
        ttl,
      }))
      .sort(bySortKey);
  }
  yield [...large].sort().map((u) => ({ ...keys.largeAuthor(ids[u]!), userId: ids[u]! }));
}

function statsOf(graph: Graph, viewers: number, feedEntries: number): SeedStats {
  const counts = graph.followers.map((list) => list.length).sort((a, b) => a - b);
  const next = random(99);
  const pick = () => graph.posts[Math.floor(next() * graph.posts.length)]!.id;
  return {
    users: graph.ids.length,
    posts: graph.posts.length,
    follows: graph.followees.reduce((sum, list) => sum + list.length, 0),
    feedEntries,
    likes: graph.likes.length,
    largeAuthors: graph.large.size,
    followers: {
      max: counts[counts.length - 1] ?? 0,
      p99: counts[Math.floor(counts.length * 0.99)] ?? 0,
      median: counts[Math.floor(counts.length / 2)] ?? 0,
    },
    viewerFollowers: viewerRanks(graph.ids.length, viewers).map((rank) => graph.followers[rank]!.length),
    postIds: Array.from({ length: Math.min(20_000, graph.posts.length) }, pick),
  };
}

/** Builds the graph and hands its items to `write`, partitions whole, about `batchSize` at a time. */
async function seed(
  options: GraphOptions,
  batchSize: number,
  write: (batch: Item[]) => unknown,
): Promise<SeedStats> {
  const graph = buildGraph(options);
  let batch: Item[] = [];
  let feedEntries = 0;
  for (const partition of items(graph, options.now)) {
    if (String(partition[0]?.PK).startsWith('FEED#')) feedEntries += partition.length;
    batch.push(...partition);
    if (batch.length >= batchSize) {
      await write(batch);
      batch = [];
    }
  }
  await write(batch);
  return statsOf(graph, options.viewers.length, feedEntries);
}

/**
 * Writes the graph into a SQLite table through one connection's prepared upsert (the same rows
 * the item store writes: sqlite-schema.ts), 50,000 rows a transaction. No change records: the
 * fan-out has nothing to do for items that were never written through the store.
 */
export function seedSqlite(db: Database.Database, table: TableDefinition, options: GraphOptions) {
  const upsert = db.prepare(upsertItemSql(table));
  const insertAll = db.transaction((batch: Item[]) => {
    for (const item of batch) upsert.run(...itemRow(table, item, JSON.stringify(item), itemSize(item)));
  });
  return seed(options, 50_000, insertAll);
}

/** The same graph through an item store's batch writes (DynamoDB), `concurrency` batches of 25 at once. */
export function seedStore(store: ItemStore, options: GraphOptions, concurrency = 8) {
  return seed(options, 2_000, (batch) =>
    writeAll(
      store,
      batch.map((item) => ({ put: item })),
      { concurrency },
    ),
  );
}
