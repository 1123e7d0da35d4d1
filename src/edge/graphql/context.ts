/** What every resolver gets: who is calling, the services, and this request's batch loaders. */
import DataLoader from 'dataloader';
import { getProfiles } from '../../domain/social/get-profile.ts';
import type { Profile, SocialServices } from '../../domain/social/model.ts';
import { mediaKey, toMedia, type Media, type MediaServices } from '../../domain/media/model.ts';
import type { MediaUrls } from '../../domain/media/media-view.ts';
import { getAll } from '../../ports/item-store/batch.ts';
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
}

export interface RequestContext {
  caller: Caller;
  services: GraphQLServices;
  /** This request's logger: its lines carry the request id (`reqId`). */
  log: Log;
  /** Profiles by id, batched per request: a feed page of 50 posts costs one read for its authors. */
  profiles: DataLoader<string, Profile | undefined>;
  /** Media items by object key, batched the same way. */
  media: DataLoader<string, Media | undefined>;
}

export function requestContext(caller: Caller, services: GraphQLServices, log: Log): RequestContext {
  return {
    caller,
    services,
    log,
    profiles: new DataLoader(async (ids) => {
      const found = new Map((await getProfiles([...ids], services.social)).map((p) => [p.id, p]));
      return ids.map((id) => found.get(id));
    }),
    media: new DataLoader(async (keys) => {
      const items = await getAll(services.media.store, keys.map(mediaKey));
      const found = new Map(items.map((item) => [String(item.key), toMedia(item)]));
      return keys.map((key) => found.get(key));
    }),
  };
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
