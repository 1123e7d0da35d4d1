import { describe, expect, it } from 'vitest';
import {
  chainFacts,
  entryHash,
  genesisHash,
  verifyChain,
  type AuditEntry,
  type AuditFact,
} from './audit-log.ts';

const facts: AuditFact[] = ['sign-in.success', 'sign-in.failure', 'mfa.changed', 'user.deleted'].map(
  (action, index) => ({
    kind: 'account',
    action,
    userId: 'u1',
    at: `2026-12-07T12:00:0${index}.000Z`,
    source: `users/e${index}`,
  }),
);

describe('the audit chain', () => {
  const log = chainFacts(undefined, facts);

  it('numbers entries from 1 and links each to the hash of the one before', () => {
    expect(log.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
    expect(log[0]!.prev).toBe(genesisHash);
    for (let i = 1; i < log.length; i++) expect(log[i]!.prev).toBe(log[i - 1]!.hash);
    expect(chainFacts(log[3], facts.slice(0, 1))[0]).toMatchObject({ seq: 5, prev: log[3]!.hash });
  });

  it('verifies an untouched log and reports its head', async () => {
    expect(await verifyChain(log)).toEqual({ ok: true, entries: 4, head: log[3]!.hash });
  });

  it('names a changed entry', async () => {
    const changed = log.map((entry) => (entry.seq === 2 ? { ...entry, action: 'sign-in.success' } : entry));
    expect(await verifyChain(changed)).toMatchObject({
      ok: false,
      seq: 2,
      reason: expect.stringMatching(/changed/),
    });
  });

  it('names a changed entry whose hash was recomputed, at the next entry', async () => {
    const forged = log.map((entry): AuditEntry => {
      if (entry.seq !== 2) return entry;
      const unhashed = { ...entry, userId: 'someone-else' };
      return { ...unhashed, hash: entryHash(unhashed) };
    });
    expect(await verifyChain(forged)).toMatchObject({
      ok: false,
      seq: 3,
      reason: expect.stringMatching(/does not follow entry 2/),
    });
  });

  it('names a removed entry', async () => {
    expect(await verifyChain(log.filter((entry) => entry.seq !== 3))).toMatchObject({
      ok: false,
      seq: 3,
      reason: expect.stringMatching(/entry 3 is missing/),
    });
  });

  it('names reordered entries', async () => {
    const reordered = [log[0]!, log[2]!, log[1]!, log[3]!];
    expect(await verifyChain(reordered)).toMatchObject({ ok: false, seq: 2 });
    const renumbered = reordered.map((entry, index) => ({ ...entry, seq: index + 1 }));
    expect(await verifyChain(renumbered)).toMatchObject({ ok: false, seq: 2 });
  });
});
