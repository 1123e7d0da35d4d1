import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain, type AuditEntry, type AuditFact } from '../../ports/audit-log.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';

let dir: string;
let log: SqliteAuditLog;

const fact = (source: string, userId: string, at: string): AuditFact => ({
  kind: 'sign-in',
  action: 'sign-in.success',
  userId,
  actor: userId,
  at,
  source,
  detail: { ip: '127.0.0.1' },
});

async function all(entries: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const list: AuditEntry[] = [];
  for await (const entry of entries) list.push(entry);
  return list;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plaza-audit-'));
  log = new SqliteAuditLog({ path: join(dir, 'audit.db') });
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteAuditLog', () => {
  it('appends each source once, however often it is delivered, and keeps the chain whole', async () => {
    expect(
      await log.append([
        fact('s1', 'a', '2026-12-06T10:00:00.000Z'),
        fact('s2', 'b', '2026-12-07T10:00:00.000Z'),
      ]),
    ).toBe(2);
    expect(
      await log.append([
        fact('s2', 'b', '2026-12-07T10:00:00.000Z'),
        fact('s3', 'a', '2026-12-07T11:00:00.000Z'),
        fact('s3', 'a', '2026-12-07T11:00:00.000Z'),
      ]),
    ).toBe(1);
    const entries = await all(log.entries());
    expect(entries.map((entry) => [entry.seq, entry.source])).toEqual([
      [1, 's1'],
      [2, 's2'],
      [3, 's3'],
    ]);
    expect(await verifyChain(log.entries())).toMatchObject({ ok: true, entries: 3 });
  });

  it('filters by user and by time, in chain order', async () => {
    await log.append([
      fact('s1', 'a', '2026-12-06T10:00:00.000Z'),
      fact('s2', 'b', '2026-12-07T10:00:00.000Z'),
      fact('s3', 'a', '2026-12-07T11:00:00.000Z'),
    ]);
    expect((await all(log.entries({ userId: 'a' }))).map((e) => e.seq)).toEqual([1, 3]);
    expect((await all(log.entries({ since: '2026-12-07T00:00:00.000Z' }))).map((e) => e.seq)).toEqual([2, 3]);
    expect(
      (await all(log.entries({ userId: 'a', since: '2026-12-07T00:00:00.000Z' }))).map((e) => e.seq),
    ).toEqual([3]);
  });

  it('refuses to change or delete an entry', async () => {
    await log.append([fact('s1', 'a', '2026-12-06T10:00:00.000Z')]);
    const raw = new Database(join(dir, 'audit.db'));
    try {
      expect(() => raw.prepare(`UPDATE audit_log SET user_id = 'x'`).run()).toThrow(/append-only/);
      expect(() => raw.prepare(`DELETE FROM audit_log`).run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });

  it('shows a change made past the triggers when verified', async () => {
    await log.append([
      fact('s1', 'a', '2026-12-06T10:00:00.000Z'),
      fact('s2', 'b', '2026-12-07T10:00:00.000Z'),
    ]);
    const raw = new Database(join(dir, 'audit.db'));
    try {
      raw.exec(`DROP TRIGGER audit_log_no_update`);
      raw.exec(`UPDATE audit_log SET entry = replace(entry, '"userId":"b"', '"userId":"c"') WHERE seq = 2`);
    } finally {
      raw.close();
    }
    expect(await verifyChain(log.entries())).toMatchObject({ ok: false, seq: 2 });
  });
});
