import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { tableWindowCounter } from '../../ports/item-store/window-counter.ts';
import { checkWriteLimit, defaultWriteLimits } from './write-limits.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('checkWriteLimit', () => {
  it('allows each user their limit per kind in a minute, then refuses until the next minute', async () => {
    world = socialWorld();
    const services = {
      counter: tableWindowCounter(world.social.store, world.clock),
      limits: { ...defaultWriteLimits, posts: 2 },
    };
    await checkWriteLimit('ana', 'posts', services);
    await checkWriteLimit('ana', 'posts', services);
    await failsWith(checkWriteLimit('ana', 'posts', services), 'TooManyRequestsException');
    // Another user, another kind: counted apart.
    await checkWriteLimit('ben', 'posts', services);
    await checkWriteLimit('ana', 'likes', services);
    world.clock.advance(60_000);
    await expect(checkWriteLimit('ana', 'posts', services)).resolves.toBeUndefined();
  });
});
