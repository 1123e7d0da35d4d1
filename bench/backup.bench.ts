/**
 * Backups against bare SQLite in the same run: backup and restore MB/s
 * against `VACUUM INTO`, SQLite's backup API in one step, and a plain file
 * copy of the same file; and the store's write rate while backups run in
 * another process (as `plaza backup create` beside the server) against the
 * rate without.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { localBackups } from '../src/adapters/fs/fs-backups.ts';
import { openSqlite } from '../src/adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from '../src/adapters/sqlite/sqlite-item-store.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { systemClock } from '../src/ports/clock.ts';
import { mainTable, usersTable } from '../src/ports/item-store/table.ts';
import { printTable, type Row } from './harness.ts';

const seedItems = 80_000;
const padding = 'p'.repeat(700);

/** Best of `runs` timings of `work`, in MB/s of `bytes`. */
async function megabytesPerSecond(bytes: number, work: (run: number) => unknown, runs = 3): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work(run);
    best = Math.min(best, performance.now() - started);
  }
  return bytes / 1024 ** 2 / (best / 1000);
}

/** Puts per second with `inFlight` writers, for `seconds`. */
async function writeRate(store: SqliteItemStore, seconds: number, inFlight = 16): Promise<number> {
  let count = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, writer) => {
      for (let n = 0; performance.now() < until; n++) {
        await store.put({ item: { PK: `W#${writer}#${n % 1000}`, SK: 'A', n, padding } });
        count++;
      }
    }),
  );
  return count / seconds;
}

export async function backupBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-backup-'));
  const dataDir = join(dir, 'data');
  const databasePath = join(dataDir, 'plaza.sqlite');
  const db = openSqlite({ path: databasePath, synchronous: 'FULL' });
  const tables = [mainTable('plaza'), usersTable('plaza-users')] as const;
  const store = new SqliteItemStore({
    db,
    table: tables[0],
    clock: systemClock,
    meter: createMetrics({ defaultMetrics: false }).capacityMeter,
    region: 'us-west-1',
    sweepIntervalMs: 0,
  });
  new SqliteItemStore({
    db,
    table: tables[1],
    clock: systemClock,
    meter: createMetrics({ defaultMetrics: false }).capacityMeter,
    region: 'us-west-1',
    sweepIntervalMs: 0,
  });
  for (let i = 0; i < seedItems; i += 25)
    await store.batchWrite(
      Array.from({ length: 25 }, (_, j) => ({ put: { PK: `USER#${i + j}`, SK: 'PROFILE', bio: padding } })),
    );
  db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = statSync(databasePath).size;
  console.log(
    `\nBackup benchmark: ${(bytes / 1024 ** 2).toFixed(1)} MB database (${seedItems} items and their change log)`,
  );

  const backups = localBackups({ dataDir, databasePath, tables, clock: systemClock });
  const ids: string[] = [];
  const plazaBackup = await megabytesPerSecond(bytes, async () => ids.push((await backups.create()).id));
  const vacuumInto = await megabytesPerSecond(bytes, (run) => {
    const reader = new Database(databasePath, { readonly: true });
    reader.exec(`VACUUM INTO '${join(dir, `vacuum-${run}.sqlite`)}'`);
    reader.close();
  });
  const oneStep = await megabytesPerSecond(bytes, async (run) => {
    const reader = new Database(databasePath, { readonly: true });
    await reader.backup(join(dir, `api-${run}.sqlite`), { progress: () => 0x7fffffff });
    reader.close();
  });
  const fileCopy = await megabytesPerSecond(bytes, (run) =>
    copyFileSync(databasePath, join(dir, `copy-${run}.sqlite`)),
  );
  const plazaRestore = await megabytesPerSecond(bytes, (run) =>
    backups.restore(ids[0]!, join(dir, `restore-${run}`)),
  );
  const copyRestore = await megabytesPerSecond(bytes, (run) =>
    copyFileSync(join(backups.backupsDir, ids[0]!, 'plaza.sqlite'), join(dir, `copy-restore-${run}.sqlite`)),
  );

  // The rate without backups is measured before and after, and averaged: the machine's load drifts.
  const writesBefore = await writeRate(store, 3);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./backup-child.ts', import.meta.url).pathname, dataDir],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  await lines.next();
  const writesDuring = await writeRate(store, 3);
  child.stdin.end();
  const { taken } = JSON.parse(String((await lines.next()).value)) as { taken: number };
  const writesAlone = (writesBefore + (await writeRate(store, 3))) / 2;

  const rows: Row[] = [
    {
      benchmark: 'backup create (backup API under a read snapshot, SHA-256, manifests) vs VACUUM INTO',
      plaza: plazaBackup,
      bare: vacuumInto,
      goal: '≥ 0.5× bare',
      ok: plazaBackup >= 0.5 * vacuumInto,
    },
    {
      benchmark: 'backup create vs backup API in one step',
      plaza: plazaBackup,
      bare: oneStep,
      goal: '≥ 0.5× bare',
      ok: plazaBackup >= 0.5 * oneStep,
    },
    {
      benchmark: 'backup create vs a file copy',
      plaza: plazaBackup,
      bare: fileCopy,
      goal: 'reported',
      ok: true,
    },
    {
      benchmark: 'backup restore (copy, SHA-256, integrity_check) vs a file copy',
      plaza: plazaRestore,
      bare: copyRestore,
      goal: 'reported',
      ok: true,
    },
  ];
  printTable('Backup and restore throughput (best of 3)', rows, 'MB/s');
  printTable(
    `Item-store writes (16 in flight, synchronous=FULL) while backups run in another process (${taken} taken)`,
    [
      {
        benchmark: 'puts/s during backups vs without',
        plaza: writesDuring,
        bare: writesAlone,
        goal: '≥ 0.7× without',
        ok: writesDuring >= 0.7 * writesAlone,
      },
    ],
    'writes/s',
  );

  await store.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
