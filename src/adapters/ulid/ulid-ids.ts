import { monotonicFactory } from 'ulid';
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';

/** ULIDs from the `ulid` package, monotonic within a millisecond and timed by the given clock. */
export function ulidIds(clock: Clock): Ids {
  const next = monotonicFactory();
  return { ulid: () => next(clock.now()) };
}
