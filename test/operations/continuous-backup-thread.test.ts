/**
 * The server ships its continuous copy from a thread of its own (ADR 0012): a photo stored after
 * the first round reaches the copy only because the server's media store told the thread of it;
 * the lag the thread reports is the server's gauge; closing the server ships what is left and ends
 * the thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { startTestServer } from '../support/app-harness.ts';
import { until } from '../support/until.ts';

const root = mkdtempSync(join(tmpdir(), 'plaza-shipping-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the shipping thread', () => {
  it('ships media created after its first round, reports its lag, and ends with the server', async () => {
    const copyDir = join(root, 'copy');
    const server = await startTestServer({ env: { PLAZA_CONTINUOUS_BACKUP: copyDir } });
    const shipping = server.app.continuousBackup!;
    await until('the first round to ship everything', async () => (await shipping.lagSeconds()) === 0);

    const key = 'users/u1/media/m1/original.jpg';
    await server.app.media.services.objects.put(key, Buffer.from('not really a photo'), {
      contentType: 'image/jpeg',
    });
    const copy = new FsObjectStore({ root: copyDir });
    await until('the photo in the copy', async () => (await copy.head(`media/${key}`)) !== undefined);
    const shipped = await copy.get(`media/${key}`);
    expect(shipped?.info.contentType).toBe('image/jpeg');
    await copy.close();

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^plaza_backup_lag_seconds \d/m);

    await server.close();
    await expect(shipping.lagSeconds()).rejects.toThrow(/shipping thread has ended/);
  });
});
