/**
 * Per-user write limits: how many posts, comments, likes, follows and reports one user may make
 * in a minute. Over the limit, the write is refused before anything is written, with
 * TooManyRequestsException (retryable: the next minute allows it again).
 */
import { PlazaError } from '../../platform/errors.ts';
import type { WindowCounter } from '../../ports/window-counter.ts';

export const writeKinds = ['posts', 'comments', 'likes', 'follows', 'reports'] as const;
export type WriteKind = (typeof writeKinds)[number];

/** Writes per user per minute. */
export type WriteLimits = Record<WriteKind, number>;

export const defaultWriteLimits: WriteLimits = {
  posts: 10,
  comments: 30,
  likes: 120,
  follows: 60,
  reports: 10,
};

export interface WriteLimitServices {
  counter: WindowCounter;
  limits: WriteLimits;
}

const windowSeconds = 60;

/** Counts a write of `kind` by the user; throws TooManyRequestsException once over their limit. */
export async function checkWriteLimit(
  userId: string,
  kind: WriteKind,
  { counter, limits }: WriteLimitServices,
): Promise<void> {
  const count = await counter.increment(`${kind}#${userId}`, windowSeconds);
  if (count > limits[kind])
    throw new PlazaError(
      'TooManyRequestsException',
      `Too many ${kind} in a minute (at most ${limits[kind]}); try again in a minute`,
    );
}
