/**
 * The EventBus contract: one suite, run against every adapter (in-process,
 * and Redis pub/sub across servers). Delivery may be asynchronous, so every
 * check waits for what must arrive, and proves that something did not arrive
 * by waiting for an event published after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from './event-bus.ts';

export interface EventBusHarness {
  bus: EventBus;
  close(): Promise<void>;
}

let unique = 0;
const topicFor = (label: string) => `contract-${label}-${Date.now().toString(36)}-${++unique}`;

type Recorder = ReturnType<typeof recorder>;

/** Listens on `topic` and records what arrives, keeping apart the probes and markers the suite sends. */
function recorder(bus: EventBus, topic: string) {
  const heard: unknown[] = [];
  const markers = new Set<number>();
  const stop = bus.subscribe(topic, (payload) => {
    const control = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
    if (typeof control.marker === 'number') markers.add(control.marker);
    else if (!('probe' in control)) heard.push(payload);
  });
  return { heard, markers, stop };
}

/**
 * Resolves once events published on `topic` reach its listeners: a bus may take a moment to start
 * listening (Redis's SUBSCRIBE goes on its own connection), which the port does not report.
 */
async function listening(bus: EventBus, topic: string): Promise<void> {
  let arrived = false;
  const stop = bus.subscribe(topic, (payload) => {
    if (payload && typeof payload === 'object' && 'probe' in payload) arrived = true;
  });
  await expect
    .poll(
      () => {
        if (!arrived) bus.publish(topic, { probe: true });
        return arrived;
      },
      { timeout: 5000, interval: 20 },
    )
    .toBe(true);
  stop();
}

/** Publishes a marker and waits until the listeners hear it: what was published before it has arrived. */
async function flush(bus: EventBus, topic: string, ...listeners: Recorder[]): Promise<void> {
  const marker = ++unique;
  bus.publish(topic, { marker });
  await expect.poll(() => listeners.every(({ markers }) => markers.has(marker))).toBe(true);
}

export function eventBusContract(adapter: string, open: () => Promise<EventBusHarness>): void {
  describe(`EventBus contract: ${adapter}`, () => {
    let harness: EventBusHarness;
    let bus: EventBus;
    beforeAll(async () => {
      harness = await open();
      bus = harness.bus;
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('delivers each event once, in the order published, with its payload intact', async () => {
      const topic = topicFor('order');
      const listener = recorder(bus, topic);
      const { heard, stop } = listener;
      await listening(bus, topic);
      const payloads = [
        { id: '01J', text: 'héllo 👋', count: 3, nested: { list: [1, null, 'x'] } },
        ...Array.from({ length: 20 }, (_, n) => ({ n })),
      ];
      for (const payload of payloads) bus.publish(topic, payload);
      await flush(bus, topic, listener);
      expect(heard).toEqual(payloads);
      stop();
    });

    it('keeps topics apart', async () => {
      const [left, right] = [topicFor('left'), topicFor('right')];
      const a = recorder(bus, left);
      const b = recorder(bus, right);
      await Promise.all([listening(bus, left), listening(bus, right)]);
      bus.publish(left, { to: 'left' });
      await flush(bus, left, a);
      await flush(bus, right, b);
      expect(a.heard).toEqual([{ to: 'left' }]);
      expect(b.heard).toEqual([]);
      a.stop();
      b.stop();
    });

    it('gives every listener on a topic its own copy of each event', async () => {
      const topic = topicFor('fan');
      const listeners = [recorder(bus, topic), recorder(bus, topic), recorder(bus, topic)];
      await listening(bus, topic);
      bus.publish(topic, { n: 1 });
      await flush(bus, topic, ...listeners);
      for (const { heard } of listeners) expect(heard).toEqual([{ n: 1 }]);
      for (const { stop } of listeners) stop();
    });

    it('stops one listener on unsubscribing, leaving the others; stopping twice is harmless', async () => {
      const topic = topicFor('stop');
      const gone = recorder(bus, topic);
      const kept = recorder(bus, topic);
      await listening(bus, topic);
      bus.publish(topic, { n: 1 });
      await flush(bus, topic, kept, gone);
      gone.stop();
      gone.stop();
      bus.publish(topic, { n: 2 });
      await flush(bus, topic, kept);
      expect(kept.heard).toEqual([{ n: 1 }, { n: 2 }]);
      expect(gone.heard).toEqual([{ n: 1 }]);
      kept.stop();
    });

    it('hears a topic again after its last listener left and a new one came', async () => {
      const topic = topicFor('again');
      const first = recorder(bus, topic);
      await listening(bus, topic);
      first.stop();
      // An event with nobody listening goes nowhere, and is no error. (It goes to a topic of its own:
      // Redis may still hand an event published just before a subscribe to the new listener.)
      bus.publish(topicFor('nobody'), { n: 0 });
      const second = recorder(bus, topic);
      await listening(bus, topic);
      bus.publish(topic, { n: 1 });
      await flush(bus, topic, second);
      expect(second.heard).toEqual([{ n: 1 }]);
      expect(first.heard).toEqual([]);
      second.stop();
    });
  });
}
