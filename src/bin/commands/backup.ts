import { Presets, SingleBar } from 'cli-progress';
import { withBackups, type RestoreResult } from '../../app/backups.ts';
import { loadConfig } from '../../platform/config.ts';

const megabytes = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;

export async function backupCreateCommand(): Promise<void> {
  await withBackups(loadConfig(), async (backups) => {
    const bar = new SingleBar(
      {
        format: 'Backing up |{bar}| {percentage}% | {value}/{total} pages',
        stream: process.stderr,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    let started = false;
    const began = performance.now();
    const manifest = await backups
      .create((copied, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(copied);
      })
      .finally(() => started && bar.stop());
    const seconds = (performance.now() - began) / 1000;
    const database = manifest.files.find((file) => file.path === manifest.database.path);
    const positions = Object.entries(manifest.tables)
      .map(([table, { changeLogPosition }]) => `${table}@${changeLogPosition}`)
      .join(', ');
    console.log(
      [
        `Backup ${manifest.id} created in ${seconds.toFixed(1)} s (${backups.backupsDir}/${manifest.id})`,
        `  database     ${megabytes(database?.bytes ?? 0)}, consistent as of ${manifest.takenAt}`,
        `  change log   ${positions}`,
        `  files        ${manifest.files.length} (database, identity, secrets, media manifest), each with its SHA-256`,
        `  media        ${manifest.media.objects} objects, ${megabytes(manifest.media.bytes)} (listed; the objects stay in the object store)`,
      ].join('\n'),
    );
  });
}

export async function backupListCommand(): Promise<void> {
  const manifests = await withBackups(loadConfig(), (backups) => backups.list());
  if (manifests.length === 0) {
    console.log('No backups yet (plaza backup create makes one).');
    return;
  }
  const rows = manifests.map((manifest) => [
    manifest.id,
    manifest.takenAt,
    megabytes(manifest.files.find((file) => file.path === manifest.database.path)?.bytes ?? 0),
    String(manifest.media.objects),
  ]);
  const header = ['ID', 'Consistent as of', 'Database', 'Media objects'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] as string).length)));
  const render = (row: string[]) =>
    row
      .map((cell, i) => (i >= 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
      .join('  ');
  console.log([render(header), ...rows.map(render)].join('\n'));
}

export function describeRestore(result: RestoreResult): string {
  const lines = [
    `Restored backup ${result.backup.id} (consistent as of ${result.backup.takenAt}) into ${result.into}`,
  ];
  const replayed = Object.entries(result.replayed);
  if (replayed.length > 0)
    lines.push(
      `  change log   replayed ${replayed.map(([table, count]) => `${count} records of ${table}`).join(', ')}`,
    );
  lines.push(
    `  media        ${result.media.note ?? `${result.media.restored} objects restored`}${result.media.missing.length ? `, ${result.media.missing.length} missing or changed since the backup: ${result.media.missing.slice(0, 5).join(', ')}${result.media.missing.length > 5 ? ', …' : ''}` : ''}`,
    '  integrity    ok',
    `Run it with: DATA_DIR=${result.into} npx plaza start`,
  );
  return lines.join('\n');
}

export async function backupRestoreCommand(id: string, options: { into: string }): Promise<void> {
  console.log(
    describeRestore(await withBackups(loadConfig(), (backups) => backups.restore(id, options.into))),
  );
}
