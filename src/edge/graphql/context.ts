/** What every resolver gets: who is calling, the services, and this request's batch loaders. */
import type { UserDirectory } from '../../ports/user-directory.ts';
import type { WriteLimitServices } from '../../domain/social/write-limits.ts';
import DataLoader from 'dataloader';
import { keys } from '../../domain/social/keys.ts';
import {
  requireUserId,
  text,
  toProfile,
  type Profile,
  type SocialServices,
} from '../../domain/social/model.ts';
import { mediaKey, toMedia, type Media, type MediaServices } from '../../domain/media/model.ts';
import type { MediaUrls } from '../../domain/media/media-view.ts';
import type { DataExportServices } from '../../domain/privacy/data-export.ts';
import { getAll } from '../../ports/item-store/batch.ts';
import type { Item, Key } from '../../ports/item-store/item-store.ts';
import { KeyMap } from '../../ports/item-store/key-map.ts';
import { PlazaError } from '../../platform/errors.ts';
import type { Log } from '../../platform/logger.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import type { NextTokens } from './next-token.ts';

export interface GraphQLServices {
  social: SocialServices;
  nextTokens: NextTokens;
  /** Mutations publish their results here; subscriptions listen. */
  events: EventBus;
  media: MediaServices;
  mediaUrls: MediaUrls;
  /** requestDataExport and dataExport (the zip itself is built by a change-stream consumer). */
  dataExport: DataExportServices;
  /** Where users sign in (deleteMyAccount removes them there; a moderator suspends them there). */
  directory: UserDirectory;
  /** Per-user write limits, counted before each limited mutation writes anything. */
  writeLimits: WriteLimitServices;
}

/**
 * Profiles by id, read through `items`: a page's authors and the viewer's likes and follows
 * share one BatchGet.
 */
export interface ProfileLoader {
  load(id: string): Promise<Profile | undefined>;
  /**
   * A user field's answer: the profile itself when the request already read it (a feed page's
   * authors) or the store holds it in memory, else a promise of it. A value rather than a promise
   * lets graphql-jit go on without waiting: a page of 20 posts is 20 promises fewer.
   */
  user(id: string): Profile | null | Promise<Profile | null>;
  /** A profile already read (a feed page's authors), so the page's `author` fields read nothing. */
  prime(id: string, profile: Profile): void;
}

/** Whether a user likes a post, read through `items` (the loaders may serve several viewers). */
export interface LikeLoader {
  /** The answer itself when it is known or the store holds the row in memory, else a promise of it. */
  has(postId: string, viewerId: string): boolean | Promise<boolean>;
  /**
   * What a feed page read or a like just wrote, so the post's `viewerHasLiked` reads nothing.
   * Kept apart from the post rather than copied onto it: a feed page's copies of its posts
   * were most of what the server's old generation collected (major GCs stalled it for ~90 ms).
   */
  prime(postId: string, viewerId: string, liked: boolean): void;
}

/** Reads batched per request (or per subscription event): whatever a page asks for costs a few BatchGets. */
export interface Loaders {
  profiles: ProfileLoader;
  likes: LikeLoader;
  /** Media items by object key. */
  media: DataLoader<string, Media | undefined>;
  /** Single items of the social table by key, such as the viewer's like of a post. */
  items: ItemLoader;
}

export interface RequestContext extends Loaders {
  caller: Caller;
  services: GraphQLServices;
  /** Where resolvers log: a request's lines carry its id (`reqId`). */
  log: Log;
}

type ItemLoader = DataLoader<Key, Item | undefined, Key>;
/** Whose store a loader asks first for rows it holds in memory (`ItemStore.cached`), if it keeps any. */
type InMemory = Pick<GraphQLServices, 'social'>;

/**
 * Whether the social table has an item under `key` (a like, a follow, a block): the answer itself
 * when the store holds the row in memory, else a promise of it through the request's batch.
 */
export function holds(items: ItemLoader, services: InMemory, key: Key): boolean | Promise<boolean> {
  const cached = services.social.store.cached?.(key);
  return cached === undefined ? items.load(key).then(Boolean) : cached !== null;
}

/**
 * A request's loaders. Classes rather than closures: a request makes a set of them, and methods on
 * a prototype cost nothing to make, where each closure (named, as tsx keeps names) costs a call.
 */
export function requestLoaders(services: GraphQLServices): Loaders {
  const items: ItemLoader = new DataLoader(
    async (keys) => {
      const found = new KeyMap<Item>();
      for (const item of await getAll(services.social.store, [...keys]))
        found.set(text(item.PK), text(item.SK), item);
      return keys.map((key) => found.get(key.PK, key.SK));
    },
    { cacheMap: new ItemCache() },
  );
  return {
    items,
    likes: new RequestLikes(items, services),
    profiles: new RequestProfiles(items, services),
    media: new DataLoader(async (keys) => {
      const items = await getAll(services.media.store, keys.map(mediaKey));
      const found = new Map(items.map((item) => [String(item.key), toMedia(item)]));
      return keys.map((key) => found.get(key));
    }),
  };
}

/** The items loader's cache, keys matched by their parts (key-map.ts): no `${PK}\0${SK}` per lookup. */
class ItemCache {
  private readonly byKey = new KeyMap<Promise<Item | undefined>>();
  get(key: Key) {
    return this.byKey.get(key.PK, key.SK);
  }
  set(key: Key, value: Promise<Item | undefined>) {
    this.byKey.set(key.PK, key.SK, value);
  }
  delete(key: Key) {
    this.byKey.delete(key.PK, key.SK);
  }
  clear() {
    this.byKey.clear();
  }
}

class RequestLikes implements LikeLoader {
  /**
   * By viewer, then post: a request has one viewer (an event's subscribers a few), so a feed
   * page's likes share one inner Map rather than making one per post.
   */
  private readonly known = new KeyMap<boolean | Promise<boolean>>();
  constructor(
    private readonly items: ItemLoader,
    private readonly services: InMemory,
  ) {}

  has(postId: string, viewerId: string) {
    let liked = this.known.get(viewerId, postId);
    if (liked !== undefined) return liked;
    liked = holds(this.items, this.services, keys.like(postId, viewerId));
    this.known.set(viewerId, postId, liked);
    return liked;
  }

  prime(postId: string, viewerId: string, liked: boolean) {
    this.known.set(viewerId, postId, liked);
  }
}

class RequestProfiles implements ProfileLoader {
  private readonly loaded = new Map<string, Promise<Profile | undefined>>();
  private readonly primed = new Map<string, Profile>();
  constructor(
    private readonly items: ItemLoader,
    private readonly services: InMemory,
  ) {}

  load(id: string) {
    let profile = this.loaded.get(id);
    if (!profile) {
      const primed = this.primed.get(id);
      if (primed) profile = Promise.resolve(primed);
      else {
        try {
          // Asked for now, in this turn, so that it joins the batch of the items asked beside it.
          profile = this.items.load(keys.profile(requireUserId(id))).then((item) => item && toProfile(item));
        } catch (error) {
          profile = Promise.reject(error as Error);
        }
      }
      this.loaded.set(id, profile);
    }
    return profile;
  }

  user(id: string) {
    const primed = this.primed.get(id);
    if (primed) return primed;
    // A profile in the store's memory is answered now: no batch, no promise. (An id that is not a
    // user id is in no row; `load` refuses it.)
    const cached = this.loaded.has(id) ? undefined : this.services.social.store.cached?.(keys.profile(id));
    if (cached === undefined) return this.load(id).then((profile) => profile ?? null);
    if (cached === null) return null;
    const profile = toProfile(cached);
    this.primed.set(id, profile);
    return profile;
  }

  /** Kept as it is: a promise of it is made only if someone asks `load` (a feed page's authors are asked `user`). */
  prime(id: string, profile: Profile) {
    if (!this.loaded.has(id) && !this.primed.has(id)) this.primed.set(id, profile);
  }
}

/** A resolver context; subscribers of one event share its loaders, so its author is read once. */
export function requestContext(
  caller: Caller,
  services: GraphQLServices,
  log: Log,
  loaders: Loaders = requestLoaders(services),
): RequestContext {
  return { caller, services, log, ...loaders };
}

/** The signed-in user's id; API-key callers have none. */
export function viewerId(context: RequestContext): string {
  if (context.caller.kind !== 'user')
    throw new PlazaError('Unauthorized', 'This operation needs a signed-in user');
  return context.caller.sub;
}

export function optionalViewerId(context: RequestContext): string | undefined {
  return context.caller.kind === 'user' ? context.caller.sub : undefined;
}
