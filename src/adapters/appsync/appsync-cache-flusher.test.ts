import type { FlushApiCacheCommand } from '@aws-sdk/client-appsync';
import { describe, expect, it } from 'vitest';
import { appSyncCacheFlusher } from './appsync-cache-flusher.ts';

/** A stand-in for AppSyncClient: records each command, and fails with the errors it is given first. */
function fakeClient(failures: string[] = []) {
  const sent: FlushApiCacheCommand[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command as FlushApiCacheCommand);
      const failure = failures.shift();
      if (failure) throw Object.assign(new Error(failure), { name: failure });
      return {};
    },
  } as never;
  return { sent, client };
}

describe('AppSync cache flushes', () => {
  it('flushes the cache once for all the requests of a batch, and not at all without one', async () => {
    const { sent, client } = fakeClient();
    const flusher = appSyncCacheFlusher({ apiId: 'abcdefghijklmnopqrstuvwxyz', region: 'us-west-1', client });
    expect(await flusher.flush()).toBe(0);
    flusher.forget([]);
    expect(await flusher.flush()).toBe(0);
    expect(sent).toEqual([]);

    for (let i = 0; i < 1000; i++) flusher.forget([`Post:p${i}`]);
    flusher.forget(['User:u1']);
    expect(sent).toEqual([]);
    expect(await flusher.flush()).toBe(1001);
    expect(sent.map((command) => command.input)).toEqual([{ apiId: 'abcdefghijklmnopqrstuvwxyz' }]);
    // The next batch starts with nothing to flush.
    expect(await flusher.flush()).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('waits for a flush already under way, then flushes again', async () => {
    const { sent, client } = fakeClient([
      'ConcurrentModificationException',
      'ConcurrentModificationException',
    ]);
    const waits: number[] = [];
    const flusher = appSyncCacheFlusher({
      apiId: 'abcdefghijklmnopqrstuvwxyz',
      region: 'us-west-1',
      client,
      sleep: async (ms) => void waits.push(ms),
    });
    flusher.forget(['Post:p1']);
    expect(await flusher.flush()).toBe(1);
    expect(sent).toHaveLength(3);
    expect(waits).toEqual([200, 400]);
  });

  it('keeps the requests of a failed flush for the next one', async () => {
    const { sent, client } = fakeClient(['UnauthorizedException']);
    const flusher = appSyncCacheFlusher({ apiId: 'abcdefghijklmnopqrstuvwxyz', region: 'us-west-1', client });
    flusher.forget(['Post:p1']);
    flusher.forget(['Post:p2']);
    await expect(flusher.flush()).rejects.toThrow('UnauthorizedException');
    flusher.forget(['Post:p3']);
    expect(await flusher.flush()).toBe(3);
    expect(sent).toHaveLength(2);
  });

  it('gives up after a few refusals, keeping the requests', async () => {
    const { sent, client } = fakeClient(Array(5).fill('ConcurrentModificationException'));
    const flusher = appSyncCacheFlusher({
      apiId: 'abcdefghijklmnopqrstuvwxyz',
      region: 'us-west-1',
      client,
      sleep: async () => {},
    });
    flusher.forget(['User:u1']);
    await expect(flusher.flush()).rejects.toThrow('ConcurrentModificationException');
    expect(sent).toHaveLength(5);
    expect(await flusher.flush()).toBe(1);
  });
});
