/** What every resolver gets: who is calling, the services, and this request's batch loaders. */
import DataLoader from 'dataloader';
import { getProfiles } from '../../domain/social/get-profile.ts';
import type { Profile, SocialServices } from '../../domain/social/model.ts';
import { PlazaError } from '../../platform/errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import type { NextTokens } from './next-token.ts';

export interface GraphQLServices {
  social: SocialServices;
  nextTokens: NextTokens;
  /** Mutations publish their results here; subscriptions listen. */
  events: EventBus;
}

export interface RequestContext {
  caller: Caller;
  services: GraphQLServices;
  /** Profiles by id, batched per request: a feed page of 50 posts costs one read for its authors. */
  profiles: DataLoader<string, Profile | undefined>;
}

export function requestContext(caller: Caller, services: GraphQLServices): RequestContext {
  return {
    caller,
    services,
    profiles: new DataLoader(async (ids) => {
      const found = new Map((await getProfiles([...ids], services.social)).map((p) => [p.id, p]));
      return ids.map((id) => found.get(id));
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
