/**
 * AppSync's per-resolver caching (`PER_RESOLVER_CACHING`): a field's result is
 * kept for its TTL under its caching keys (`$context.identity.sub`,
 * `$context.arguments.<name>`). Unlike AppSync, where a write must evict by
 * hand (`evictFromApiCache`), the mutations that change a cached object evict
 * it here, on every server when the event bus is shared (Redis).
 */
import type { GraphQLFieldResolver } from 'graphql';
import type { Config } from '../../platform/config.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { RequestContext } from './context.ts';

export interface CachingRule {
  ttlSeconds: number;
  /** `$context.identity.sub`, `$context.arguments.id` (or `$context.args.id`), as AppSync names them. */
  keys: string[];
}

export interface CacheSettings {
  /** By field coordinate, `Query.getPost`. */
  rules: Record<string, CachingRule>;
  maxEntries: number;
}

/**
 * The cached objects are the stored post and profile; what depends on the viewer
 * (viewerHasLiked, viewerFollows, email, a media's originalUrl) resolves below them on
 * every request, so the argument alone is a safe key. Add `$context.identity.sub` to a
 * field whose own result depends on the caller.
 */
export const defaultCacheSettings: CacheSettings = {
  rules: {
    'Query.getPost': { ttlSeconds: 3600, keys: ['$context.arguments.id'] },
    'Query.getUser': { ttlSeconds: 3600, keys: ['$context.arguments.id'] },
  },
  maxEntries: 50_000,
};

/**
 * The design's per-resolver caching, with the fields and TTLs the config file sets over the
 * defaults (a TTL of 0 turns a field off). The CDK app deploys the same rules to AppSync.
 */
export function cacheSettingsFrom(caching: Config['caching']): CacheSettings {
  const rules = { ...defaultCacheSettings.rules };
  for (const [field, rule] of Object.entries(caching.fields)) {
    if (rule.ttlSeconds === 0) delete rules[field];
    else rules[field] = { ttlSeconds: rule.ttlSeconds, keys: rule.keys ?? ['$context.arguments.id'] };
  }
  return { rules, maxEntries: caching.maxEntries ?? defaultCacheSettings.maxEntries };
}

type Args = Record<string, unknown>;

/** What each mutation changes, as cache tags (`<type>:<id>`). */
const evictions: Record<string, (args: Args, viewer: string | undefined) => string[]> = {
  likePost: (args) => [`Post:${String(args.postId)}`],
  unlikePost: (args) => [`Post:${String(args.postId)}`],
  addComment: (args) => [`Post:${String(args.postId)}`],
  deleteComment: (args) => [`Post:${String(args.postId)}`],
  deletePost: (args, viewer) => [`Post:${String(args.id)}`, `User:${viewer}`],
  createPost: (_, viewer) => [`User:${viewer}`],
  deleteMyAccount: (_, viewer) => [`User:${viewer}`],
  updateProfile: (_, viewer) => [`User:${viewer}`],
  followUser: (args, viewer) => [`User:${viewer}`, `User:${String(args.userId)}`],
  unfollowUser: (args, viewer) => [`User:${viewer}`, `User:${String(args.userId)}`],
  // A block removes follows both ways, so both users' counts may change; whom the viewer blocks does.
  blockUser: (args, viewer) => [`User:${viewer}`, `User:${String(args.userId)}`, blocksTag(viewer)],
  unblockUser: (_, viewer) => [blocksTag(viewer)],
};

/** The tag of what is remembered about whom a user blocks (`remember`). */
export const blocksTag = (userId: string | undefined) => `Blocks:${userId}`;

const EVICT_TOPIC = 'resolver-cache:evict';

interface Entry {
  value: Promise<unknown>;
  /**
   * The value itself once it has resolved: a hit then answers without a promise, and graphql-jit
   * goes on without waiting (a cached getPost is answered in the same turn).
   */
  settled?: { value: unknown };
  expires: number;
  tag: string | undefined;
}

/** An entry's answer: its value once settled, else its promise. */
const answerOf = (entry: Entry): unknown => (entry.settled ? entry.settled.value : entry.value);

export class ResolverCache {
  readonly #settings: CacheSettings;
  readonly #now: () => number;
  readonly #events: EventBus | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #byTag = new Map<string, Set<string>>();
  hits = 0;
  misses = 0;

  constructor(settings: CacheSettings, now: () => number, events?: EventBus) {
    this.#settings = settings;
    this.#now = now;
    this.#events = events;
    events?.subscribe(EVICT_TOPIC, (tags) => this.#evictLocally(tags as string[]));
  }

  /** The resolver for a field coordinate, cached where a rule says so and evicting after mutations. */
  wrap(
    typeName: string,
    fieldName: string,
    returnType: string,
    resolve: GraphQLFieldResolver<unknown, RequestContext>,
  ): GraphQLFieldResolver<unknown, RequestContext> {
    const evict = typeName === 'Mutation' ? evictions[fieldName] : undefined;
    if (evict) {
      return async (source, args, context, info) => {
        const result = await resolve(source, args, context, info);
        const viewer = context.caller.kind === 'user' ? context.caller.sub : undefined;
        this.evict(evict(args as Args, viewer));
        return result;
      };
    }
    const rule = this.#settings.rules[`${typeName}.${fieldName}`];
    if (!rule) return resolve;
    const keyOf = cacheKey(`${typeName}.${fieldName}`, rule.keys);
    return (source, args, context, info) => {
      const key = keyOf(args as Args, context);
      const now = this.#now();
      const cached = this.#entries.get(key);
      if (cached && cached.expires > now) {
        this.hits++;
        return answerOf(cached);
      }
      this.misses++;
      // The promise is cached, so concurrent misses for one key read the store once.
      const value = Promise.resolve(resolve(source, args, context, info));
      const entry: Entry = { value, expires: now + rule.ttlSeconds * 1000, tag: undefined };
      this.#store(key, entry);
      value.then(
        (result) => {
          const id = (result as { id?: unknown } | null)?.id;
          if (result == null || this.#entries.get(key) !== entry) {
            this.#remove(key);
            return;
          }
          entry.settled = { value: result };
          if (typeof id === 'string') {
            entry.tag = `${returnType}:${id}`;
            let keys = this.#byTag.get(entry.tag);
            if (!keys) this.#byTag.set(entry.tag, (keys = new Set()));
            keys.add(key);
          }
        },
        () => this.#remove(key),
      );
      return value;
    };
  }

  /**
   * A value that guards a cached field's answers (who an author blocks, for `Query.getPost`),
   * kept under `key` as long as that field's answers and evicted with `tag`, so a cache hit stays
   * free of reads. Undefined when the field is not cached: the caller reads what it needs itself.
   */
  remember<T>(field: string, key: string, tag: string, load: () => Promise<T>): T | Promise<T> | undefined {
    const rule = this.#settings.rules[field];
    if (!rule) return undefined;
    const now = this.#now();
    const cached = this.#entries.get(key);
    if (cached && cached.expires > now) return answerOf(cached) as T | Promise<T>;
    const value = load();
    const entry: Entry = { value, expires: now + rule.ttlSeconds * 1000, tag };
    this.#store(key, entry);
    let keys = this.#byTag.get(tag);
    if (!keys) this.#byTag.set(tag, (keys = new Set()));
    keys.add(key);
    value.then(
      (result) => (entry.settled = { value: result }),
      () => this.#remove(key),
    );
    return value;
  }

  /** Removes what the tags name here and, through the event bus, on every other server. */
  evict(tags: string[]): void {
    if (this.#events) this.#events.publish(EVICT_TOPIC, tags);
    else this.#evictLocally(tags);
  }

  #evictLocally(tags: string[]): void {
    for (const tag of tags) {
      for (const key of this.#byTag.get(tag) ?? []) this.#entries.delete(key);
      this.#byTag.delete(tag);
    }
  }

  #store(key: string, entry: Entry): void {
    this.#remove(key);
    this.#entries.set(key, entry);
    // Oldest first: a Map iterates in insertion order.
    while (this.#entries.size > this.#settings.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#remove(oldest);
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    if (entry.tag) this.#byTag.get(entry.tag)?.delete(key);
  }
}

type KeyPart = (args: Args, context: RequestContext) => string;

/**
 * A field's cache key from its caching keys, each read as a function once, when the resolver is
 * wrapped (reading the names on every call, with a regular expression, was a third of a cache
 * hit); a key the cache cannot read fails the server's start rather than every request.
 */
function cacheKey(field: string, names: string[]): KeyPart {
  const parts = names.map(keyPart);
  const [only] = parts;
  if (parts.length === 1 && only) return (args, context) => `${field}\u0000${only(args, context)}`;
  return (args, context) => {
    let key = field;
    for (const part of parts) key += `\u0000${part(args, context)}`;
    return key;
  };
}

function keyPart(name: string): KeyPart {
  if (name === '$context.identity.sub' || name === '$ctx.identity.sub') {
    return (_, context) => (context.caller.kind === 'user' ? context.caller.sub : `(${context.caller.kind})`);
  }
  const argument = /^\$(?:context|ctx)\.(?:arguments|args)\.(\w+)$/.exec(name)?.[1];
  if (argument) return (args) => JSON.stringify(args[argument] ?? null);
  throw new Error(`Unsupported caching key ${name}`);
}
