import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3rverCredentials, startS3rver } from '../../../test/support/s3rver.ts';
import { verifyChain, type AuditEntry, type AuditFact } from '../../ports/audit-log.ts';
import { S3AuditLog } from './s3-audit-log.ts';

let server: { endpoint: string; stop(): Promise<void> };

beforeAll(async () => {
  server = await startS3rver('audit');
});

afterAll(async () => {
  await server.stop();
});

const open = (prefix: string) =>
  new S3AuditLog({
    bucket: 'audit',
    prefix,
    region: 'us-west-1',
    endpoint: server.endpoint,
    credentials: s3rverCredentials,
  });

const fact = (n: number, userId = 'u1'): AuditFact => ({
  kind: 'deletion',
  action: 'post.deleted',
  userId,
  at: `2026-12-07T12:00:${String(n).padStart(2, '0')}.000Z`,
  source: `main/e${n}`,
});

async function all(entries: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const list: AuditEntry[] = [];
  for await (const entry of entries) list.push(entry);
  return list;
}

describe('S3AuditLog', () => {
  it('chains each batch after the last, across writers, and skips a retried batch', async () => {
    const log = open('one/');
    expect(await log.append([fact(1), fact(2)])).toBe(2);
    // Another invocation (a cold start) finds the head from the hint and the listing.
    const other = open('one/');
    expect(await other.append([fact(3, 'u2')])).toBe(1);
    expect(await other.append([fact(3, 'u2')])).toBe(0);
    expect(await log.append([fact(4)])).toBe(1);
    const entries = await all(log.entries());
    expect(entries.map((entry) => [entry.seq, entry.source])).toEqual([
      [1, 'main/e1'],
      [2, 'main/e2'],
      [3, 'main/e3'],
      [4, 'main/e4'],
    ]);
    expect(await verifyChain(log.entries())).toMatchObject({ ok: true, entries: 4 });
    expect((await all(log.entries({ userId: 'u2' }))).map((entry) => entry.seq)).toEqual([3]);
    expect((await all(log.entries({ since: '2026-12-07T12:00:02.000Z' }))).map((entry) => entry.seq)).toEqual(
      [2, 3, 4],
    );
    await log.close();
    await other.close();
  });

  it('starts a chain in an empty prefix', async () => {
    const log = open('empty/');
    expect(await all(log.entries())).toEqual([]);
    expect(await verifyChain(log.entries())).toEqual({ ok: true, entries: 0, head: '0'.repeat(64) });
    await log.close();
  });
});
