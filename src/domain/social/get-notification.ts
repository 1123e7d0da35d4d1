import { PlazaError } from '../../platform/errors.ts';
import { keys } from './keys.ts';
import { requireUserId, type SocialServices } from './model.ts';
import { toNotification, toNotificationState, type Notification } from './notification-model.ts';

/** One of a user's notifications by its id, read or not as their read mark says; NotFound when it is gone. */
export async function getNotification(
  recipientId: string,
  id: string,
  { store }: Pick<SocialServices, 'store'>,
): Promise<Notification> {
  const recipient = requireUserId(recipientId, 'recipientId');
  if (typeof id !== 'string' || id.length === 0 || id.length > 256)
    throw new PlazaError('BadInput', 'id is not a notification id');
  const [found, state] = await Promise.all([
    store.get(keys.notification(recipient, id)),
    store.get(keys.notificationState(recipient)),
  ]);
  if (!found.item) throw new PlazaError('NotFound', `No notification ${id} for ${recipient}`);
  return toNotification(found.item, toNotificationState(state.item).readUpTo);
}
