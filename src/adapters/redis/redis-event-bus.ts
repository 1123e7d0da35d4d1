/**
 * The event bus on Redis pub/sub, for several Plaza servers behind one load
 * balancer: a mutation on one server reaches subscribers on all of them.
 * Every server, the publisher included, hears each event once from Redis, so
 * local and remote subscribers see events in the same order.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger.ts';
import type { EventBus } from '../../ports/event-bus.ts';

export interface RedisEventBus extends EventBus {
  /** Resolves once both connections are up (publishing before that is queued by the client). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function redisEventBus(url: string, logger: Logger, prefix = 'plaza:'): RedisEventBus {
  // A connection in subscriber mode can only subscribe, so publishing has its own.
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: true });
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (error) => logger.warn({ err: error }, 'redis event bus: connection problem'));
  }
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    const topic = channel.toString().slice(prefix.length);
    const set = listeners.get(topic);
    if (!set) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message.toString());
    } catch (error) {
      logger.warn({ err: error, topic }, 'redis event bus: dropped an unreadable event');
      return;
    }
    for (const listener of set) listener(payload);
  });
  return {
    async ready() {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    },
    publish(topic, payload) {
      publisher
        .publish(prefix + topic, JSON.stringify(payload))
        .catch((error: unknown) => logger.error({ err: error, topic }, 'redis event bus: publish failed'));
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        subscriber
          .subscribe(prefix + topic)
          .catch((error: unknown) =>
            logger.error({ err: error, topic }, 'redis event bus: subscribe failed'),
          );
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(topic) === set) {
          listeners.delete(topic);
          subscriber.unsubscribe(prefix + topic).catch(() => undefined);
        }
      };
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
