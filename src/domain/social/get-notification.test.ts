import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { followUser } from './follow-user.ts';
import { getNotification } from './get-notification.ts';
import { markNotificationsRead } from './mark-notifications-read.ts';
import { notifyFromChanges } from './notify.ts';

let world: SocialWorld;
beforeEach(() => {
  world = socialWorld();
});
afterEach(() => world.close());

describe('getNotification', () => {
  it('reads one of a user’s notifications, read or not by their mark; NotFound for anyone else’s', async () => {
    const [ada, ben] = [await world.user('ada'), await world.user('ben')];
    await followUser(ben, ada, world.social);
    await notifyFromChanges(await world.changes(), world.social);
    const id = `FOLLOW#${ben}`;
    expect(await getNotification(ada, id, world.social)).toMatchObject({
      id,
      recipientId: ada,
      type: 'FOLLOW',
      actorIds: [ben],
      read: false,
    });
    world.clock.advance(1000);
    await markNotificationsRead(ada, undefined, world.social);
    expect(await getNotification(ada, id, world.social)).toMatchObject({ read: true });
    await expect(getNotification(ben, id, world.social)).rejects.toMatchObject({ code: 'NotFound' });
    await expect(getNotification('not a user', id, world.social)).rejects.toMatchObject({ code: 'BadInput' });
    await expect(getNotification(ada, '', world.social)).rejects.toMatchObject({ code: 'BadInput' });
  });
});
