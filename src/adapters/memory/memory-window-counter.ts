import type { Clock } from '../../ports/clock.ts';
import type { WindowCounter } from '../../ports/window-counter.ts';

/**
 * Window counts in this process's memory: exact for one server, each count forgotten once its
 * window has passed (so memory holds only the current window's active keys).
 */
export function memoryWindowCounter(clock: Clock): WindowCounter {
  const counts = new Map<string, { window: number; count: number }>();
  let swept = 0;
  return {
    async increment(key, windowSeconds) {
      const now = clock.now();
      const window = Math.floor(now / (windowSeconds * 1000));
      if (now - swept > windowSeconds * 1000) {
        swept = now;
        for (const [known, entry] of counts) if (entry.window !== window) counts.delete(known);
      }
      const entry = counts.get(key);
      const count = entry?.window === window ? entry.count + 1 : 1;
      counts.set(key, { window, count });
      return count;
    },
  };
}
