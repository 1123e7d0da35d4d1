import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { folderObjectStore } from '../../../../test/support/object-store.ts';
import { createLogger } from '../../../platform/logger.ts';
import { createMetrics } from '../../../platform/metrics.ts';
import type { ChangeLogSource } from '../../../ports/change-log-copy.ts';
import { ManualClock } from '../../../ports/clock.ts';
import type { ObjectEvent, ObjectStore } from '../../../ports/object-store/object-store.ts';
import { ContinuousBackup, defaultContinuousBackupSettings } from './continuous-backup.ts';
import { CopyStore } from './copy-store.ts';

// The queue of created media is all this test looks at: nothing is read from the log.
const unusedSource = { close: () => undefined } as unknown as ChangeLogSource;

describe('ContinuousBackup, created media', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function backupOf(mediaEvents?: (listener: (event: ObjectEvent) => void) => void) {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-backup-media-'));
    dirs.push(dir);
    const media = folderObjectStore(join(dir, 'media'));
    const backup = new ContinuousBackup({
      source: unusedSource,
      copy: new CopyStore(folderObjectStore(join(dir, 'copy')), ''),
      media,
      ...(mediaEvents
        ? {
            mediaEvents: {
              subscribe(listener) {
                mediaEvents(listener);
                return () => undefined;
              },
            },
          }
        : {}),
      dataDir: dir,
      databaseName: 'plaza.sqlite',
      clock: new ManualClock(0),
      logger: createLogger({ level: 'silent' }),
      lag: createMetrics({ defaultMetrics: false }).backupLag,
      settings: defaultContinuousBackupSettings,
    });
    return { media, backup };
  }

  const put = (media: ObjectStore, key: string) =>
    media.put(key, Buffer.from('bytes'), { contentType: 'image/jpeg' });

  it("queues the media store's own created objects, once each", async () => {
    const { media, backup } = backupOf();
    await put(media, 'users/u1/a.jpg');
    await put(media, 'users/u1/a.jpg');
    await put(media, 'users/u1/b.jpg');
    expect(backup.status().pendingMedia).toBe(2);
  });

  it('queues what the given events report instead, when the store it reads is not the one written', async () => {
    let report: ((event: ObjectEvent) => void) | undefined;
    const { media, backup } = backupOf((listener) => (report = listener));
    await put(media, 'users/u1/a.jpg');
    expect(backup.status().pendingMedia).toBe(0);

    const key = 'users/u1/b.jpg';
    const info = {
      key,
      size: 5,
      etag: '"e"',
      contentType: 'image/jpeg',
      lastModified: new Date(0),
      metadata: {},
    };
    report!({ type: 'created', key, info });
    report!({ type: 'removed', key: 'users/u1/c.jpg' });
    expect(backup.status().pendingMedia).toBe(1);
  });
});
