import { randomBytes, randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';

/** ULIDs (monotonic within a millisecond, timed by the given clock) and secrets from Node's CSPRNG. */
export function nodeIds(clock: Clock): Ids {
  const next = monotonicFactory();
  return {
    ulid: () => next(clock.now()),
    uuid: () => randomUUID(),
    secret: (bytes) => randomBytes(bytes).toString('base64url'),
  };
}
