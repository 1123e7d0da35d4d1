import { describe, expect, it } from 'vitest';
import { inParallel } from './model.ts';

describe('inParallel', () => {
  it('does every element once, never more than the limit at a time', async () => {
    const done: number[] = [];
    let running = 0;
    let most = 0;
    await inParallel([1, 2, 3, 4, 5, 6, 7], 3, async (value) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, value % 3));
      done.push(value);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('does nothing for no elements, and passes a failure on', async () => {
    let calls = 0;
    await inParallel([], 4, async () => void calls++);
    expect(calls).toBe(0);
    await expect(
      inParallel(['a', 'b'], 2, async (value) => {
        if (value === 'b') throw new Error('b failed');
      }),
    ).rejects.toThrow('b failed');
  });
});
