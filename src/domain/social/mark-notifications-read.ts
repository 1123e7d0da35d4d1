import { PlazaError } from '../../platform/errors.ts';
import { pages } from '../../ports/item-store/pages.ts';
import { keys, notificationsPartition } from './keys.ts';
import { requireUserId, type SocialServices } from './model.ts';
import { toNotificationState } from './notification-model.ts';

/**
 * Marks the viewer's notifications read up to `upTo` (default: now; never later than now), as a
 * read mark rather than item by item, so marking a thousand is one write. The unread count is then
 * what changed after the mark: counted from GSI1 over those alone. Returns how many became read;
 * a mark earlier than the last one changes nothing.
 */
export async function markNotificationsRead(
  viewerId: string,
  upTo: string | undefined | null,
  { store, clock }: Pick<SocialServices, 'store' | 'clock'>,
): Promise<number> {
  const viewer = requireUserId(viewerId);
  const now = clock.now();
  let mark = new Date(now).toISOString();
  if (upTo != null) {
    const time = Date.parse(upTo);
    if (typeof upTo !== 'string' || Number.isNaN(time))
      throw new PlazaError('BadInput', 'upTo must be an AWSDateTime (ISO 8601)');
    mark = new Date(Math.min(time, now)).toISOString();
  }
  const { item } = await store.get(keys.notificationState(viewer), { consistent: true });
  const before = toNotificationState(item);
  if (mark <= before.readUpTo) return 0;
  let unread = 0;
  for await (const later of pages(store, {
    index: 'GSI1',
    partition: notificationsPartition(viewer),
    // Sort keys are `<time>#<about>`: '~' sorts after '#', so a change at the mark itself is read.
    sortKey: { op: '>', value: `${mark}~` },
    limit: 500,
  }))
    unread += later.length;
  await store.update({
    key: keys.notificationState(viewer),
    set: { readUpTo: mark, unread },
  });
  return Math.max(0, before.unread - unread);
}
