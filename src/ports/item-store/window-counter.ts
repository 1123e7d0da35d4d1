/**
 * Window counts in the table, one item per key and window (`COUNT#<key>` / `<window start>`),
 * increased atomically and gone with their TTL: every server and Lambda instance sharing the
 * table counts together. One write per event.
 */
import type { Clock } from '../clock.ts';
import type { WindowCounter } from '../window-counter.ts';
import type { ItemStore } from './item-store.ts';

export function tableWindowCounter(store: Pick<ItemStore, 'update'>, clock: Clock): WindowCounter {
  return {
    async increment(key, windowSeconds) {
      const start = Math.floor(clock.now() / 1000 / windowSeconds) * windowSeconds;
      const { item } = await store.update({
        key: { PK: `COUNT#${key}`, SK: String(start) },
        add: { count: 1 },
        // Kept a window longer than it counts, for DynamoDB's TTL deletes late.
        set: { ttl: start + 2 * windowSeconds },
      });
      return Number(item.count);
    },
  };
}
