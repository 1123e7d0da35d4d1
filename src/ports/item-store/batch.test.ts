import { describe, expect, it, vi } from 'vitest';
import { PlazaError } from '../../platform/errors.ts';
import { getAll, writeAll } from './batch.ts';
import type { BatchWriteRequest, Key } from './item-store.ts';

const noCapacity = { readUnits: 0, writeUnits: 0 };

describe('batches of any size', () => {
  it('splits gets into 100s, drops duplicate keys and retries unprocessed keys', async () => {
    const keys: Key[] = Array.from({ length: 250 }, (_, i) => ({ PK: `P#${i % 230}`, SK: 'X' }));
    let first = true;
    const batchGet = vi.fn(async (chunk: Key[]) => {
      expect(chunk.length).toBeLessThanOrEqual(100);
      // The engine leaves the last key of the first call unprocessed.
      const unprocessed = first ? chunk.slice(-1) : [];
      first = false;
      return {
        items: chunk.slice(0, chunk.length - unprocessed.length).map((key) => ({ ...key })),
        unprocessed,
        consumed: noCapacity,
      };
    });
    const items = await getAll({ batchGet }, keys, { baseDelayMs: 1 });
    expect(items).toHaveLength(230);
    expect(batchGet).toHaveBeenCalledTimes(4);
  });

  it('gets one chunk as it is, and makes it unique only when the store refuses a repeated key', async () => {
    const keys: Key[] = [
      { PK: 'P#1', SK: 'X' },
      { PK: 'P#2', SK: 'X' },
    ];
    const calls: Key[][] = [];
    const store = {
      batchGet: async (chunk: Key[]) => {
        calls.push(chunk);
        if (new Set(chunk.map((key) => key.PK)).size < chunk.length)
          throw new PlazaError('ValidationException', 'Provided list of item keys contains duplicates');
        return { items: chunk.map((key) => ({ ...key })), unprocessed: [], consumed: noCapacity };
      },
    };
    expect(await getAll(store, keys)).toHaveLength(2);
    expect(calls).toEqual([keys]);
    calls.length = 0;
    expect(await getAll(store, [...keys, keys[0]!])).toHaveLength(2);
    expect(calls.map((chunk) => chunk.length)).toEqual([3, 2]);
    expect(await getAll(store, [])).toEqual([]);
    // Any other refusal is the caller's to see.
    const refusing = {
      batchGet: async () => {
        throw new PlazaError('ValidationException', 'The provided key element does not match the schema');
      },
    };
    await expect(getAll(refusing, keys)).rejects.toThrow(/does not match the schema/);
  });

  it("retries a single chunk's unprocessed keys after a backoff, and gives up after its attempts", async () => {
    const keys: Key[] = Array.from({ length: 5 }, (_, i) => ({ PK: `P#${i}`, SK: 'X' }));
    const calls: { at: number; keys: number }[] = [];
    const leaving = (left: number) => ({
      batchGet: async (chunk: Key[]) => {
        calls.push({ at: performance.now(), keys: chunk.length });
        const unprocessed = chunk.slice(0, Math.min(left--, chunk.length) > 0 ? 2 : 0);
        return {
          items: chunk.filter((key) => !unprocessed.includes(key)).map((key) => ({ ...key })),
          unprocessed,
          consumed: noCapacity,
        };
      },
    });
    const items = await getAll(leaving(2), keys, { baseDelayMs: 20 });
    expect(items.map((item) => item.PK).sort()).toEqual(keys.map((key) => key.PK));
    expect(calls.map((call) => call.keys)).toEqual([5, 2, 2]);
    // The first retry waits the base delay, the next twice that, as DynamoDB asks.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(15);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(35);
    calls.length = 0;
    await expect(getAll(leaving(99), keys, { baseDelayMs: 1, attempts: 3 })).rejects.toThrow(
      '2 keys stayed unprocessed',
    );
    expect(calls).toHaveLength(3);
  });

  it('splits writes into 25s and gives up after its attempts with a clear error', async () => {
    const requests: BatchWriteRequest[] = Array.from({ length: 60 }, (_, i) => ({
      put: { PK: `P#${i}`, SK: 'X' },
    }));
    const sizes: number[] = [];
    await writeAll(
      {
        batchWrite: async (chunk) => {
          sizes.push(chunk.length);
          return { unprocessed: [], consumed: noCapacity };
        },
      },
      requests,
    );
    expect(sizes).toEqual([25, 25, 10]);
    await expect(
      writeAll({ batchWrite: async (chunk) => ({ unprocessed: chunk, consumed: noCapacity }) }, requests, {
        attempts: 3,
        baseDelayMs: 1,
      }),
    ).rejects.toThrow(/stayed unprocessed/);
  });

  it('writes chunks one at a time, or up to `concurrency` at once, each retried until processed', async () => {
    const requests: BatchWriteRequest[] = Array.from({ length: 200 }, (_, i) => ({
      put: { PK: `FEED#${i}`, SK: 'X' },
    }));
    for (const concurrency of [undefined, 3]) {
      let inFlight = 0;
      let most = 0;
      const written = new Set<string>();
      let calls = 0;
      await writeAll(
        {
          batchWrite: async (chunk) => {
            inFlight++;
            most = Math.max(most, inFlight);
            await new Promise((resolve) => setTimeout(resolve, 1));
            inFlight--;
            // Every third call leaves its last request for a retry.
            const unprocessed = ++calls % 3 === 0 ? chunk.slice(-1) : [];
            for (const request of chunk.slice(0, chunk.length - unprocessed.length))
              if ('put' in request) written.add(String(request.put.PK));
            return { unprocessed, consumed: noCapacity };
          },
        },
        requests,
        { baseDelayMs: 1, ...(concurrency ? { concurrency } : {}) },
      );
      expect(written.size).toBe(200);
      expect(most).toBe(concurrency ?? 1);
    }
    // A chunk that fails stops the others from starting new ones.
    let calls = 0;
    await expect(
      writeAll(
        {
          batchWrite: async (chunk) => {
            calls++;
            const first = chunk.some((request) => 'put' in request && request.put.PK === 'FEED#0');
            await new Promise((resolve) => setTimeout(resolve, first ? 1 : 5));
            if (first) throw new Error('the table is gone');
            return { unprocessed: [], consumed: noCapacity };
          },
        },
        requests,
        { concurrency: 3 },
      ),
    ).rejects.toThrow('the table is gone');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(3);
  });
});
