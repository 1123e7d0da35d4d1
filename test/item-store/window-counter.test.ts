/** The WindowCounter port's adapters: in memory, and in the table on each engine. */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryWindowCounter } from '../../src/adapters/memory/memory-window-counter.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { tableWindowCounter } from '../../src/ports/item-store/window-counter.ts';
import type { WindowCounter } from '../../src/ports/window-counter.ts';
import { engines, type EngineHarness } from './engines.ts';

let harness: EngineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const adapters: [string, (clock: ManualClock) => Promise<WindowCounter>][] = [
  ['memory', async (clock) => memoryWindowCounter(clock)],
  ...engines().map((open, i): [string, (clock: ManualClock) => Promise<WindowCounter>] => [
    `the table on ${i === 0 ? 'sqlite' : 'dynamodb'}`,
    async (clock) => {
      harness = await open();
      return tableWindowCounter(harness.store, clock);
    },
  ]),
];

describe.each(adapters)('the window counter in %s', (_, open) => {
  it('counts per key within a window, and from 1 in the next', async () => {
    // Near the engines' own time: they treat an item past its TTL as gone.
    const clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000);
    const counter = await open(clock);
    expect(await counter.increment('likes#ana', 60)).toBe(1);
    expect(
      await Promise.all([counter.increment('likes#ana', 60), counter.increment('likes#ana', 60)]),
    ).toEqual(expect.arrayContaining([2, 3]));
    expect(await counter.increment('likes#ben', 60)).toBe(1);
    clock.advance(59_000);
    expect(await counter.increment('likes#ana', 60)).toBe(4);
    clock.advance(1_000);
    expect(await counter.increment('likes#ana', 60)).toBe(1);
  });
});
