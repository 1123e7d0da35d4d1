/**
 * WAL checkpoints off the server's thread. SQLite's automatic checkpoint runs inside the commit
 * that takes the WAL past 1,000 pages, so that commit (and the event loop with it) copies every
 * page written since the last one back into the database file: after a burst of 5,000 writes,
 * whichever small write came next (a stream consumer's checkpoint) held the loop for 100 ms and
 * more. Here the writer's connection checkpoints nothing (`wal_autocheckpoint = 0`), and a worker
 * thread with a connection of its own runs PASSIVE checkpoints every `intervalMs`: they copy what
 * no reader still needs and never wait for the writer or block it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface SqliteCheckpointer {
  /** A last checkpoint, then the thread and its connection end. Before the writer's connection closes. */
  stop(): Promise<void>;
}

/** The thread, in plain JavaScript: it needs nothing of Plaza's but the driver. */
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
let timer;
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ failed: String(error && error.message) });
  }
};
const run = () => {
  checkpoint();
  timer = setTimeout(run, workerData.intervalMs);
};
run();
parentPort.on('message', () => {
  clearTimeout(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export function startSqliteCheckpointer(
  db: Database.Database,
  options: { intervalMs?: number; onError?: (message: string) => void } = {},
): SqliteCheckpointer {
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(threadSource, {
    eval: true,
    name: 'sqlite-checkpointer',
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: db.name,
      intervalMs: options.intervalMs ?? 200,
    },
  });
  // Without the thread, the writer checkpoints for itself again (SQLite's default), or the WAL
  // would grow without end.
  const selfCheckpointing = () => {
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  };
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: { failed?: string; stopped?: boolean }) => {
      if (message.stopped) resolve();
      else if (message.failed) options.onError?.(message.failed);
    });
    worker.once('exit', () => {
      selfCheckpointing();
      resolve();
    });
  });
  worker.on('error', (error) => options.onError?.(error.message));
  return {
    async stop() {
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
      selfCheckpointing();
    },
  };
}
