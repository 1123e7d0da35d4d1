import { afterEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import type { UserDirectory } from '../../ports/user-directory.ts';
import { aliasedDirectory, aliasedVerifier, userAliases } from './user-aliases.ts';

let world: SocialWorld;
afterEach(() => world.close());

const oldId = '0b5e1c9a-0000-4000-8000-000000000001';
const newSub = '7d1f0000-0000-4000-8000-00000000000a';

describe('userAliases', () => {
  it('answers a linked sub with its Plaza id, an unlinked one with itself, and the way back per pool', async () => {
    world = socialWorld();
    const failover = userAliases(world.social.store, 'us-east-1_Failover', () => world.clock.now());
    const primary = userAliases(world.social.store, 'us-west-1_Primary', () => world.clock.now());
    expect(await failover.userIdOf(newSub)).toBe(newSub);
    await failover.link({ sub: newSub, username: newSub, userId: oldId });
    expect(await failover.userIdOf(newSub)).toBe(oldId);
    expect(await failover.usernameOf(oldId)).toBe(newSub);
    // The first pool, failed back to, names the user by their id as before.
    expect(await primary.usernameOf(oldId)).toBe(oldId);
    expect(await primary.userIdOf(newSub)).toBe(oldId);
  });

  it('links once: again is no error, another id for the sub or another sub for the id is a Conflict', async () => {
    world = socialWorld();
    const aliases = userAliases(world.social.store, 'us-east-1_Failover');
    await aliases.link({ sub: newSub, username: newSub, userId: oldId });
    await aliases.link({ sub: newSub, username: newSub, userId: oldId });
    expect(
      await rejectionMessage(
        aliases.link({ sub: newSub, username: newSub, userId: '0b5e1c9a-0000-4000-8000-000000000002' }),
        'Conflict',
      ),
    ).toContain(`already linked to ${oldId}`);
    await failsWith(
      aliases.link({ sub: '7d1f0000-0000-4000-8000-00000000000b', username: 'x', userId: oldId }),
      'Conflict',
    );
    await failsWith(aliases.link({ sub: newSub, username: newSub, userId: 'not an id!' }), 'BadInput');
  });

  it('believes "no link" for a minute only, and a link for good', async () => {
    world = socialWorld();
    const reader = userAliases(world.social.store, 'us-east-1_Failover', () => world.clock.now());
    const writer = userAliases(world.social.store, 'us-east-1_Failover', () => world.clock.now());
    expect(await reader.userIdOf(newSub)).toBe(newSub);
    await writer.link({ sub: newSub, username: newSub, userId: oldId });
    expect(await reader.userIdOf(newSub)).toBe(newSub);
    world.clock.advance(61_000);
    expect(await reader.userIdOf(newSub)).toBe(oldId);
  });

  it('resolves verified callers and addresses the directory by the pool username', async () => {
    world = socialWorld();
    const aliases = userAliases(world.social.store, 'us-east-1_Failover');
    await aliases.link({ sub: newSub, username: 'pool-name', userId: oldId });
    const verifier = aliasedVerifier(
      {
        verify: async (token) => ({
          kind: 'user',
          sub: token,
          username: token,
          tokenUse: 'access',
          claims: {},
        }),
      },
      aliases,
    );
    expect(await verifier.verify(newSub)).toMatchObject({ sub: oldId, username: newSub });
    const named: string[] = [];
    const directory = aliasedDirectory(
      {
        deleteUser: async (name) => void named.push(name),
        findUser: async () => ({
          sub: newSub,
          username: 'pool-name',
          email: 'a@example.com',
          enabled: true,
          status: 'CONFIRMED',
          createdAt: '',
        }),
      } as Partial<UserDirectory> as UserDirectory,
      aliases,
    );
    await directory.deleteUser(oldId);
    await directory.deleteUser(newSub);
    expect(named).toEqual(['pool-name', newSub]);
    expect((await directory.findUser('a@example.com'))?.sub).toBe(oldId);
  });
});
