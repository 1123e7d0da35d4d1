/**
 * The continuous off-machine copy's own thread (ADR 0012). Shipping reads the change log, encodes,
 * hashes and compresses segments: on the server's thread that took a fifth of its write throughput,
 * since every write waits for the same event loop. Here it runs beside it, reading the database
 * through its own read-only connection and the media through a store of its own; the server's
 * thread tells it of each created media object and of the shutdown, and is told the copy's lag.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FsObjectStore } from '../adapters/fs/fs-object-store.ts';
import { SqliteChangeLogSource } from '../adapters/sqlite/sqlite-change-log-copy.ts';
import { ContinuousBackup } from '../domain/operations/backup-copy/continuous-backup.ts';
import { createLogger } from '../platform/logger.ts';
import { systemClock } from '../ports/clock.ts';
import type { ObjectEvent } from '../ports/object-store/object-store.ts';
import {
  openCopyStore,
  type ShippingSettings,
  type ToShipping,
  type FromShipping,
} from './continuous-backup.ts';

const settings = workerData as ShippingSettings;
const port = parentPort!;
const tell = (message: FromShipping) => port.postMessage(message);

const listeners = new Set<(event: ObjectEvent) => void>();
const backup = new ContinuousBackup({
  source: new SqliteChangeLogSource(settings.databasePath, settings.tables, systemClock.now),
  copy: await openCopyStore(settings.target),
  media: settings.mediaRoot ? new FsObjectStore({ root: settings.mediaRoot }) : undefined,
  mediaEvents: {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  },
  dataDir: settings.dataDir,
  databaseName: settings.databaseName,
  clock: systemClock,
  logger: createLogger({ level: settings.logLevel }),
  lag: {
    set: (seconds) => tell({ type: 'lag', seconds }),
    inc: () => undefined,
    dec: () => undefined,
  },
  settings: settings.shipping,
});

/** The lag as the backup reads it; NaN when the change log cannot be read (the answer is still owed). */
function lagSeconds(): number {
  try {
    return backup.lagSeconds();
  } catch {
    return Number.NaN;
  }
}

port.on('message', (message: ToShipping) => {
  if (message.type === 'media') for (const listener of listeners) listener(message.event);
  else if (message.type === 'lag') tell({ type: 'lag', seconds: lagSeconds() });
  else
    void backup.stop().then(() => {
      tell({ type: 'stopped' });
      port.close();
    });
});
backup.start();
