import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { isPlazaError } from '../../platform/errors.ts';
import { writeTogether } from './write-together.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('writeTogether', () => {
  it('writes every action, or none and NotFound with the message when a condition fails', async () => {
    world = socialWorld();
    const { store } = world.social;
    const a = { PK: 'TEST#a', SK: 'X' };
    const b = { PK: 'TEST#b', SK: 'X' };
    await writeTogether(store, [{ put: a }, { put: b }], 'unused');
    expect((await store.get(a, { consistent: true })).item).toEqual(a);

    const c = { PK: 'TEST#c', SK: 'X' };
    const error = await writeTogether(
      store,
      [{ put: c }, { delete: { PK: 'TEST#none', SK: 'X' }, conditions: [{ op: 'itemExists' }] }],
      'No such thing',
    ).catch((caught: unknown) => caught);
    expect(isPlazaError(error, 'NotFound') && error.message).toBe('No such thing');
    expect((await store.get(c, { consistent: true })).item).toBeUndefined();
  });

  it('lets any other failure through as it is', async () => {
    world = socialWorld();
    await failsWith(writeTogether(world.social.store, [], 'unused'), 'ValidationException');
  });
});
