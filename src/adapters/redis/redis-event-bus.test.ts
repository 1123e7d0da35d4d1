import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../../test/support/redis.ts';
import { createLogger } from '../../platform/logger.ts';
import { eventBusContract } from '../../ports/event-bus.contract.ts';
import { redisEventBus } from './redis-event-bus.ts';

const logger = createLogger({ level: 'silent' });
let redis: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

eventBusContract('Redis pub/sub', async () => {
  const bus = redisEventBus(redis.url, logger, 'contract:');
  await bus.ready();
  return { bus, close: () => bus.close() };
});

describe('redisEventBus', () => {
  it('carries an event from one server to another, and keeps apart buses with other prefixes', async () => {
    const [one, two, other] = [
      redisEventBus(redis.url, logger, 'a:'),
      redisEventBus(redis.url, logger, 'a:'),
      redisEventBus(redis.url, logger, 'b:'),
    ];
    await Promise.all([one.ready(), two.ready(), other.ready()]);
    const heard: unknown[] = [];
    const elsewhere: unknown[] = [];
    two.subscribe('t', (payload) => heard.push(payload));
    other.subscribe('t', (payload) => elsewhere.push(payload));
    await expect
      .poll(() => {
        one.publish('t', { n: heard.length });
        return heard.length > 0;
      })
      .toBe(true);
    expect(heard[0]).toEqual({ n: 0 });
    expect(elsewhere).toEqual([]);
    await Promise.all([one.close(), two.close(), other.close()]);
  });
});
