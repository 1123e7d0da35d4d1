/**
 * Subscriptions bound to mutations, as AppSync's @aws_subscribe binds them:
 * a mutation's result is published on the event bus under the mutation's
 * name, and each subscriber receives the results its arguments select,
 * resolved with its own identity (so no event shows a client what it could
 * not query).
 */
import type { EventBus } from '../../ports/event-bus.ts';

/** The most events kept for a subscriber that reads slower than they come; older ones are dropped. */
const maxQueued = 1000;

export function listen<T>(
  bus: EventBus,
  topic: string,
  accept: (payload: T) => boolean,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const stop = bus.subscribe(topic, (payload) => {
    if (finished || !accept(payload as T)) return;
    if (queue.length >= maxQueued) queue.shift();
    queue.push(payload as T);
    wake?.();
  });
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      while (!finished && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (finished) return { done: true, value: undefined };
      return { done: false, value: queue.shift() as T };
    },
    async return() {
      finished = true;
      stop();
      wake?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
