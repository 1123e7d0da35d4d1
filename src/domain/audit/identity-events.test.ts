import { afterEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { newImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { auditFactsOf } from './audit-facts.ts';
import { recordIdentityEvent, signedInUser } from './identity-events.ts';

describe('recordIdentityEvent', () => {
  let world: SocialWorld;
  afterEach(() => world.close());

  it('leaves the event in the change stream alone: its item is gone from the table', async () => {
    world = socialWorld();
    const ada = await world.user('ada');
    const before = (await world.changes()).length;
    await recordIdentityEvent(
      { action: 'SignIn', userId: ada, actor: 'cognito:PostAuthentication_Authentication' },
      world.social,
    );

    const records = (await world.changes()).slice(before);
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'REMOVE']);
    const { PK, SK } = recordKey(records[0]!);
    expect(PK).toBe(`USER#${ada}`);
    expect(SK).toMatch(/^IDEVENT#SignIn#[0-9A-Z]{26}$/);
    // A TTL in case the delete never ran: a day after the event.
    expect(newImage(records[0]!)?.ttl).toBe(world.clock.now() / 1000 + 24 * 3600);
    expect(
      (
        await world.social.store.query({
          partition: `USER#${ada}`,
          sortKey: { op: 'beginsWith', value: 'IDEVENT#' },
        })
      ).items,
    ).toEqual([]);

    // The audit log reads its action and who reported it from the inserted item.
    expect(auditFactsOf(records, 'main')).toMatchObject([
      { action: 'SignIn', actor: 'cognito:PostAuthentication_Authentication', userId: ada },
    ]);
  });

  it('names a signed-in user from a key alone, and no one for other events or items', () => {
    expect(signedInUser('USER#u1', 'IDEVENT#SignIn#01J')).toBe('u1');
    expect(signedInUser('USER#u1', 'IDEVENT#SignUp#01J')).toBeUndefined();
    expect(signedInUser('USER#u1', 'PROFILE')).toBeUndefined();
    expect(signedInUser('POST#p1', 'IDEVENT#SignIn#01J')).toBeUndefined();
  });
});
