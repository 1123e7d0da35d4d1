/**
 * Subscriptions bound to mutations, as AppSync's @aws_subscribe binds them:
 * a mutation's result is published on the event bus under the mutation's
 * name, and each subscription receives the results its arguments select
 * (subscription-hub.ts resolves them per audience).
 */
import type { EventBus } from '../../ports/event-bus.ts';

/**
 * The most events kept for a reader that reads slower than they come; older ones are dropped. The
 * reader is a hub group, which everyone with the same operation shares: a burst of notifications to
 * every user of a server (a seed, a restore) is one group's, so this is counted in thousands.
 */
const maxQueued = 20_000;

/** An event stream whose reader may take, beside the next event, all those already waiting. */
export interface QueuedEvents<T> extends AsyncIterableIterator<T> {
  /** The events that came since the last read, oldest first, removed from the queue. */
  takeQueued(): T[];
}

/** Whether a subscription's event stream is one of ours (graphql-js hands back what `subscribe` made). */
export function isQueuedEvents(events: AsyncIterator<unknown>): events is QueuedEvents<unknown> {
  return typeof (events as Partial<QueuedEvents<unknown>>).takeQueued === 'function';
}

/** Values pushed by a producer, read as an async iterator; `return()` calls `onStop`. */
export function eventQueue<T>(): {
  push(value: T): void;
  iterator: QueuedEvents<T>;
  onStop(stop: () => void): void;
} {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let stop: (() => void) | undefined;
  const iterator: QueuedEvents<T> = {
    [Symbol.asyncIterator]: () => iterator,
    takeQueued: () => queue.splice(0),
    async next() {
      while (!finished && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (finished) return { done: true, value: undefined };
      return { done: false, value: queue.shift() as T };
    },
    async return() {
      finished = true;
      stop?.();
      wake?.();
      return { done: true, value: undefined };
    },
  };
  return {
    iterator,
    push(value) {
      if (finished) return;
      if (queue.length >= maxQueued) queue.shift();
      queue.push(value);
      wake?.();
    },
    onStop(callback) {
      if (finished) callback();
      else stop = callback;
    },
  };
}

export function listen<T>(bus: EventBus, topic: string, accept: (payload: T) => boolean): QueuedEvents<T> {
  const events = eventQueue<T>();
  events.onStop(bus.subscribe(topic, (payload) => accept(payload as T) && events.push(payload as T)));
  return events.iterator;
}
