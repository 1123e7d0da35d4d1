/**
 * The scale benchmark's bare reference: node:http + better-sqlite3 over the
 * same SQLite file as Plaza, with prepared statements and every cache Plaza
 * has (rows and first pages in memory, parsed once, dropped when another
 * connection commits; the large authors' list for 5 s), answering the same bytes for the
 * same request (a nextToken sealed with an HMAC as Plaza's is). It writes the
 * items Plaza writes, and fans a post out to the followers' feeds in the
 * request's own transaction: no change stream, no consumer. What is left of
 * Plaza's cost beside it is the price of its layers.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { monotonicFactory } from 'ulid';
import type Database from 'better-sqlite3';
import { openSqlite } from '../src/adapters/sqlite/sqlite-database.ts';
import { itemRow, sqliteTableNames, upsertItemSql } from '../src/adapters/sqlite/sqlite-schema.ts';
import { largeAuthorsTtlMs } from '../src/domain/social/large-authors.ts';
import {
  byTypeIndex,
  keys,
  ownedByIndex,
  notificationsPartition,
  partitions,
  postsByTimeIndex,
  sortPrefixes,
} from '../src/domain/social/keys.ts';
import type { Item } from '../src/ports/item-store/item-store.ts';
import { itemSize } from '../src/ports/item-store/rules.ts';
import { mainTable, type TableDefinition } from '../src/ports/item-store/table.ts';

const feedLimit = 20;
const feedEntryLifetimeSeconds = 90 * 24 * 3600;
/** Rows and pages kept before the oldest go (Plaza keeps 32 MiB: far more than the load reads). */
const maxEntries = 500_000;

interface PostOut {
  id: string;
  description: string;
  likeCount: number;
  commentCount: number;
  viewerHasLiked: boolean;
  author: { id: string; username: string | null } | null;
}

/** The file's rows through prepared statements and the caches; writes keep the caches true. */
function bareData(db: Database.Database, table: TableDefinition) {
  const { items } = sqliteTableNames(table);
  const statements = {
    get: db.prepare<[string, string], string>(`SELECT item FROM ${items} WHERE pk = ? AND sk = ?`).pluck(),
    newest: db
      .prepare<[string, number], string>(`SELECT item FROM ${items} WHERE pk = ? ORDER BY sk DESC LIMIT ?`)
      .pluck(),
    range: db
      .prepare<[string, string, string, number], string>(
        `SELECT item FROM ${items} WHERE pk = ? AND sk >= ? AND sk < ? ORDER BY sk DESC LIMIT ?`,
      )
      .pluck(),
    sortKeys: db
      .prepare<[string, string, string], string>(
        `SELECT sk FROM ${items} WHERE pk = ? AND sk >= ? AND sk < ?`,
      )
      .pluck(),
    byIndex: db
      .prepare<[string, number], string>(
        `SELECT item FROM ${items} WHERE "GSI1_pk" = ? ORDER BY "GSI1_sk" DESC LIMIT ?`,
      )
      .pluck(),
    upsert: db.prepare(upsertItemSql(table)),
    insertIfAbsent: db.prepare(upsertItemSql(table).replace('INSERT OR REPLACE', 'INSERT OR IGNORE')),
    version: db.prepare<[], number>('PRAGMA data_version').pluck(),
  };

  // Items by `pk\0sk` (null: no row), pages by `pk\0what`, parsed when read: Plaza's row cache
  // keeps its items parsed too. All dropped when another connection commits.
  const cache = new Map<string, Item | null | unknown[]>();
  let version = statements.version.get();
  let looked = false;
  const sync = () => {
    if (looked) return;
    looked = true;
    setImmediate(() => (looked = false));
    const now = statements.version.get();
    if (now === version) return;
    version = now;
    cache.clear();
  };
  const remember = <T extends Item | null | unknown[]>(key: string, value: T): T => {
    cache.set(key, value);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return value;
  };
  const row = (pk: string, sk: string): Item | null => {
    const key = `${pk}\u0000${sk}`;
    const known = cache.get(key) as Item | null | undefined;
    if (known !== undefined) return known;
    const json = statements.get.get(pk, sk);
    return remember(key, json === undefined ? null : (JSON.parse(json) as Item));
  };
  const page = <T>(pk: string, what: string, read: () => T[]): T[] =>
    (cache.get(`${pk}\u0000#${what}`) as T[] | undefined) ?? remember(`${pk}\u0000#${what}`, read());
  const parsed = (rows: string[]) => rows.map((json) => JSON.parse(json) as Item);
  const write = (item: Item, ifAbsent = false): boolean => {
    const json = JSON.stringify(item);
    const statement = ifAbsent ? statements.insertIfAbsent : statements.upsert;
    const written = statement.run(...itemRow(table, item, json, itemSize(item))).changes > 0;
    if (written) cache.set(`${item.PK}\u0000${item.SK}`, item);
    return written;
  };
  const forgetPage = (pk: string, what: string) => cache.delete(`${pk}\u0000#${what}`);
  return { statements, sync, row, page, parsed, write, forgetPage, forgetAll: () => cache.clear() };
}

type BareData = ReturnType<typeof bareData>;

/** getPost's and homeFeed's answers, in the order and shape of Plaza's selection sets. */
function bareReads({ statements, row, page, parsed }: BareData) {
  let large: { ids: string[]; expires: number } | undefined;
  const profile = (id: string) => {
    const p = row(partitions.user(id), 'PROFILE');
    if (!p) return null;
    return { id: String(p.id), username: typeof p.username === 'string' ? p.username : null };
  };
  const post = (id: string, viewer: string): PostOut | null => {
    const p = row(partitions.post(id), 'METADATA');
    if (!p) return null;
    return {
      id: String(p.id),
      description: String(p.description),
      likeCount: Number(p.likeCount),
      commentCount: Number(p.commentCount),
      viewerHasLiked: row(partitions.post(id), `${sortPrefixes.like}${viewer}`) !== null,
      author: profile(String(p.authorId)),
    };
  };
  const secret = randomBytes(32);
  const seal = (cursor: string) => {
    const payload = Buffer.from(cursor, 'utf8').toString('base64url');
    const mac = createHmac('sha256', secret).update('homeFeed').update('\u0000').update(payload).digest();
    return `${payload}.${mac.subarray(0, 16).toString('base64url')}`;
  };
  const largeAuthors = (): string[] => {
    const now = Date.now();
    if (!large || large.expires <= now) {
      const ids = statements.newest
        .all(partitions.largeAuthors, 100)
        .map((json) => String((JSON.parse(json) as Item).userId));
      large = { ids, expires: now + largeAuthorsTtlMs };
    }
    return large.ids;
  };
  const userPosts = (authorId: string) =>
    page(partitions.user(authorId), 'posts', () =>
      parsed(statements.range.all(partitions.user(authorId), sortPrefixes.post, 'POST$', feedLimit + 1)),
    );

  const homeFeed = (viewer: string) => {
    const fanned = page(partitions.feed(viewer), 'feed', () =>
      parsed(statements.newest.all(partitions.feed(viewer), feedLimit)),
    );
    const entries = [...fanned];
    for (const authorId of largeAuthors()) {
      if (row(partitions.user(viewer), `${sortPrefixes.following}${authorId}`) === null) continue;
      for (const post of userPosts(authorId)) entries.push({ ...post, authorId });
    }
    const seen = new Set<string>();
    const ordered = entries
      .map((entry) => String(entry.postId))
      .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
      .filter((id) => (seen.has(id) ? false : (seen.add(id), true)))
      .slice(0, feedLimit);
    const last = ordered[ordered.length - 1];
    return {
      items: ordered.map((id) => post(id, viewer)).filter((item) => item !== null),
      nextToken: ordered.length === feedLimit && last ? seal(last) : null,
    };
  };

  /** notifications(limit: 20): GSI1's NOTIFS#<viewer> page, the read mark, each actor (nobody hidden). */
  const notifications = (viewer: string) => {
    const own = row(partitions.user(viewer), 'PROFILE');
    if (own?.hiddenCount !== 0) throw new Error('The bare reference reads no blocks or mutes');
    const state = row(partitions.user(viewer), 'NOTIFICATIONS') ?? {};
    const readUpTo = String(state.readUpTo ?? '');
    const items = page(notificationsPartition(viewer), 'notifications', () =>
      parsed(statements.byIndex.all(notificationsPartition(viewer), feedLimit)),
    ).map((n) => {
      const actorIds = (n.actorIds as string[]) ?? [];
      return {
        id: String(n.about),
        type: String(n.type),
        read: String(n.at) <= readUpTo,
        othersCount: Math.max(0, Number(n.likers ?? actorIds.length) - 1),
        createdAt: String(n.at),
        actor: actorIds[0] ? profile(actorIds[0]) : null,
      };
    });
    const last = items[items.length - 1];
    return {
      items,
      nextToken: items.length === feedLimit && last ? seal(`${last.createdAt}#${last.id}`) : null,
    };
  };

  return { post, homeFeed, notifications };
}

/** likePost and createPost (with its fan-out), each for a transaction (savepoint) of the caller's. */
function bareWrites({ statements, row, page, write, forgetPage }: BareData, fanOutFollowerLimit: number) {
  const like = (id: string, viewer: string) => {
    const createdAt = new Date().toISOString();
    const liked = write(
      {
        ...keys.like(id, viewer),
        ...ownedByIndex(viewer, `LIKE#${id}`),
        userId: viewer,
        postId: id,
        createdAt,
      },
      true,
    );
    const item = row(partitions.post(id), 'METADATA');
    if (!item) throw new Error(`No post ${id}`);
    if (liked) write({ ...item, likeCount: Number(item.likeCount) + 1 });
  };

  const ulid = monotonicFactory();
  const create = (viewer: string, description: string) => {
    const now = Date.now();
    const id = ulid(now);
    const createdAt = new Date(now).toISOString();
    const author = row(partitions.user(viewer), 'PROFILE');
    if (!author) throw new Error('You have no profile yet');
    write({
      ...keys.post(id),
      ...postsByTimeIndex(createdAt, id),
      ...byTypeIndex('POST', createdAt),
      id,
      authorId: viewer,
      description,
      mediaKeys: [],
      likeCount: 0,
      commentCount: 0,
      createdAt,
    });
    write({ ...keys.userPost(viewer, id), postId: id, createdAt });
    forgetPage(partitions.user(viewer), 'posts');
    write({ ...author, postCount: Number(author.postCount) + 1 });
    const feeds = [viewer];
    if (Number(author.followerCount) < fanOutFollowerLimit) {
      const followers = page(partitions.user(viewer), 'followers', () =>
        statements.sortKeys.all(partitions.user(viewer), sortPrefixes.follower, 'FOLLOWER$'),
      );
      for (const sk of followers) feeds.push(sk.slice(sortPrefixes.follower.length));
    }
    const ttl = Math.floor(now / 1000) + feedEntryLifetimeSeconds;
    for (const owner of feeds) {
      write({ ...keys.feedEntry(owner, id), postId: id, authorId: viewer, createdAt, ttl });
      forgetPage(partitions.feed(owner), 'feed');
    }
    return { id, description };
  };
  return { like, create };
}

export function bareServer(path: string, tableName: string, fanOutFollowerLimit: number) {
  // Opened as Plaza opens its file (WAL, the busy timeout), at Plaza's setting in the benchmark.
  const db = openSqlite({ path, synchronous: 'NORMAL' });
  const data = bareData(db, mainTable(tableName));
  const { post, homeFeed, notifications } = bareReads(data);
  const { like, create } = bareWrites(data, fanOutFollowerLimit);

  // Group commit, as Plaza's store does: the writes of one turn of the event loop share one
  // transaction, each in a savepoint of its own (a nested better-sqlite3 transaction), and each
  // is answered once that has committed.
  const savepoint = db.transaction((work: () => unknown) => work());
  let pending: (() => void)[] = [];
  const commit = db.transaction(() => {
    const works = pending;
    pending = [];
    for (const work of works) work();
  });
  const grouped = <T>(work: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      pending.push(() => {
        try {
          resolve(savepoint(work) as T);
        } catch (error) {
          // The savepoint rolled back: what the caches took from it goes too.
          data.forgetAll();
          reject(error);
        }
      });
      if (pending.length === 1) setImmediate(() => commit.immediate());
    });
  const respond = (response: ServerResponse, data: unknown) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));

  // The same request as Plaza's, a POST with the GraphQL request as its JSON body, so that both
  // read and parse the same bytes; the viewer comes in a header instead of a token.
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      data.sync();
      const { variables = {} } = JSON.parse(text) as { variables?: { id?: string; description?: string } };
      const viewer = String(request.headers['x-viewer'] ?? '');
      const id = variables.id ?? '';
      if (request.url === '/feed') respond(response, { homeFeed: homeFeed(viewer) });
      else if (request.url === '/post') respond(response, { getPost: post(id, viewer) });
      else if (request.url === '/typename') respond(response, { __typename: 'Query' });
      else if (request.url === '/notifications') respond(response, { notifications: notifications(viewer) });
      else if (request.url === '/like') {
        void grouped(() => like(id, viewer)).then(() => {
          const liked = post(id, viewer)!;
          respond(response, {
            likePost: { id: liked.id, likeCount: liked.likeCount, viewerHasLiked: liked.viewerHasLiked },
          });
        });
      } else {
        void grouped(() => create(viewer, variables.description ?? '')).then((created) =>
          respond(response, { createPost: created }),
        );
      }
    });
  });
  return { server, close: () => db.close() };
}
