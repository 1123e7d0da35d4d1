import { once } from 'node:events';
import { openExistingAuditLog, openInsightsUpToDate } from '../../app/insights.ts';
import { loadConfig } from '../../platform/config.ts';
import { verifyChain, type AuditEntry } from '../../ports/audit-log.ts';

/**
 * `plaza audit [--user <id>] [--since <time>] [--json]`: the audit log, oldest first, brought up
 * to date with the change streams first; JSON lines with --json.
 */
export async function auditCommand(options: {
  user?: string;
  since?: number;
  json?: boolean;
}): Promise<void> {
  const insights = await openInsightsUpToDate(loadConfig());
  try {
    const write = async (text: string) => {
      if (!process.stdout.write(text)) await once(process.stdout, 'drain');
    };
    const query = {
      ...(options.user !== undefined ? { userId: options.user } : {}),
      ...(options.since !== undefined ? { since: new Date(options.since).toISOString() } : {}),
    };
    let count = 0;
    if (!options.json)
      await write(`${auditLine(['#', 'Time', 'Kind', 'Action', 'User', 'Actor', 'Detail'])}\n`);
    for await (const entry of insights.audit.entries(query)) {
      await write(`${options.json ? JSON.stringify(entry) : auditLine(cellsOf(entry))}\n`);
      count++;
    }
    console.error(`plaza: ${count} audit entr${count === 1 ? 'y' : 'ies'}`);
  } finally {
    await insights.close();
  }
}

/**
 * `plaza audit verify`: walks the chain; exit code 1 and the first bad entry named when an entry
 * was changed, removed or reordered. It reads only: the log is checked as it is on disk.
 */
export async function auditVerifyCommand(): Promise<void> {
  const config = loadConfig();
  const log = openExistingAuditLog(config);
  try {
    const verdict = await verifyChain(log.entries());
    if (verdict.ok) {
      console.log(`plaza: the audit log is intact: ${verdict.entries} entries, head ${verdict.head}`);
      return;
    }
    console.error(`plaza: the audit log is broken at entry ${verdict.seq}: ${verdict.reason}`);
    process.exitCode = 1;
  } finally {
    await log.close();
  }
}

const widths = [6, 24, 9, 26, 36, 36];

function auditLine(cells: string[]): string {
  return cells
    .map((cell, index) => (index < widths.length ? cell.padEnd(widths[index]!) : cell))
    .join(' ')
    .trimEnd();
}

function cellsOf(entry: AuditEntry): string[] {
  const detail = Object.entries(entry.detail ?? {})
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return [
    String(entry.seq),
    entry.at,
    entry.kind,
    entry.action,
    entry.userId ?? '-',
    entry.actor ?? '-',
    detail,
  ];
}
