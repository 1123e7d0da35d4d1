/** What every resolver gets: who is calling, the services, and this request's batch loaders. */
import type { UserDirectory } from '../../ports/user-directory.ts';
import type { WriteLimitServices } from '../../domain/social/write-limits.ts';
import DataLoader from 'dataloader';
import { keys } from '../../domain/social/keys.ts';
import { requireUserId, toProfile, type Profile, type SocialServices } from '../../domain/social/model.ts';
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

/** Reads batched per request (or per subscription event): whatever a page asks for costs a few BatchGets. */
export interface Loaders {
  /**
   * Profiles by id, read through `items`: a page's authors and the viewer's likes and follows
   * share one BatchGet.
   */
  profiles: {
    load(id: string): Promise<Profile | undefined>;
    /**
     * A user field's answer: the profile itself when the request already read it (a feed page's
     * authors), else a promise of it. A value rather than a promise lets graphql-jit go on
     * without waiting: a page of 20 posts is 20 promises fewer.
     */
    user(id: string): Profile | null | Promise<Profile | null>;
    /** A profile already read (a feed page's authors), so the page's `author` fields read nothing. */
    prime(id: string, profile: Profile): void;
  };
  /** Whether a user likes a post, read through `items` (the loaders may serve several viewers). */
  likes: {
    has(postId: string, viewerId: string): boolean | Promise<boolean>;
    /**
     * What a feed page read or a like just wrote, so the post's `viewerHasLiked` reads nothing.
     * Kept apart from the post rather than copied onto it: a feed page's copies of its posts
     * were most of what the server's old generation collected (major GCs stalled it for ~90 ms).
     */
    prime(postId: string, viewerId: string, liked: boolean): void;
  };
  /** Media items by object key. */
  media: DataLoader<string, Media | undefined>;
  /** Single items of the social table by key, such as the viewer's like of a post. */
  items: DataLoader<Key, Item | undefined, Key>;
}

export interface RequestContext extends Loaders {
  caller: Caller;
  services: GraphQLServices;
  /** Where resolvers log: a request's lines carry its id (`reqId`). */
  log: Log;
}

export function requestLoaders(services: GraphQLServices): Loaders {
  // Keys are matched by their parts (key-map.ts): no `${PK}\0${SK}` string per lookup.
  const cached = new KeyMap<Promise<Item | undefined>>();
  const items = new DataLoader<Key, Item | undefined, Key>(
    async (keys) => {
      const found = new KeyMap<Item>();
      for (const item of await getAll(services.social.store, [...keys]))
        found.set(String(item.PK), String(item.SK), item);
      return keys.map((key) => found.get(key.PK, key.SK));
    },
    {
      cacheMap: {
        get: (key) => cached.get(key.PK, key.SK),
        set: (key, value) => cached.set(key.PK, key.SK, value),
        delete: (key) => cached.delete(key.PK, key.SK),
        clear: () => cached.clear(),
      },
    },
  );
  const profiles = new Map<string, Promise<Profile | undefined>>();
  const primed = new Map<string, Profile>();
  // By post, then viewer.
  const likes = new KeyMap<boolean | Promise<boolean>>();
  return {
    items,
    likes: {
      has(postId, viewerId) {
        let liked = likes.get(postId, viewerId);
        if (liked === undefined)
          likes.set(postId, viewerId, (liked = items.load(keys.like(postId, viewerId)).then(Boolean)));
        return liked;
      },
      prime(postId, viewerId, liked) {
        likes.set(postId, viewerId, liked);
      },
    },
    profiles: {
      load(id) {
        let profile = profiles.get(id);
        if (!profile) {
          try {
            // Asked for now, in this turn, so that it joins the batch of the items asked beside it.
            profile = items.load(keys.profile(requireUserId(id))).then((item) => item && toProfile(item));
          } catch (error) {
            profile = Promise.reject(error as Error);
          }
          profiles.set(id, profile);
        }
        return profile;
      },
      user(id) {
        return primed.get(id) ?? this.load(id).then((profile) => profile ?? null);
      },
      prime(id, profile) {
        if (!profiles.has(id)) {
          profiles.set(id, Promise.resolve(profile));
          primed.set(id, profile);
        }
      },
    },
    media: new DataLoader(async (keys) => {
      const items = await getAll(services.media.store, keys.map(mediaKey));
      const found = new Map(items.map((item) => [String(item.key), toMedia(item)]));
      return keys.map((key) => found.get(key));
    }),
  };
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
