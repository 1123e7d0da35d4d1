import { describe, expect, it } from 'vitest';
import { eventBusContract } from '../../ports/event-bus.contract.ts';
import { memoryEventBus } from './memory-event-bus.ts';

eventBusContract('in-process', async () => ({ bus: memoryEventBus(), close: async () => undefined }));

describe('memoryEventBus', () => {
  it('delivers before publish returns, so a subscriber sees the event with the mutation’s answer', () => {
    const bus = memoryEventBus();
    const heard: unknown[] = [];
    bus.subscribe('t', (payload) => heard.push(payload));
    bus.publish('t', { n: 1 });
    expect(heard).toEqual([{ n: 1 }]);
  });

  it('takes thousands of listeners on one topic (one per subscribed client)', () => {
    const bus = memoryEventBus();
    let heard = 0;
    const stops = Array.from({ length: 5000 }, () => bus.subscribe('t', () => heard++));
    bus.publish('t', {});
    expect(heard).toBe(5000);
    for (const stop of stops) stop();
    bus.publish('t', {});
    expect(heard).toBe(5000);
  });
});
