/**
 * The audit log: append-only, hash-chained. Each entry carries the SHA-256 of the previous
 * entry's canonical form (`prev`) and of its own (`hash`), so changing, removing or reordering
 * an entry breaks the chain at that entry, whatever engine holds it. The chain is built and
 * checked here, beside the port, so every adapter chains the same way.
 */
import { createHash } from 'node:crypto';

/**
 * sign-in: attempts, failures, lockouts. account: password, MFA, status, groups, sessions.
 * admin: an operation signed with the admin credentials. deletion: an account, a post, a comment.
 * action: anything else a feature records on its items (`audit` attribute), moderation first.
 */
export type AuditKind = 'sign-in' | 'account' | 'admin' | 'deletion' | 'action';

export type AuditDetail = Record<string, string | number | boolean>;

/** What happened, before it has a place in the chain. */
export interface AuditFact {
  kind: AuditKind;
  /** What was done, such as `sign-in.failure`, `mfa.changed`, `AdminDisableUser`, `report.resolved`. */
  action: string;
  /** Whose account or content it concerns. */
  userId?: string;
  /** Who did it, where the change says so: a user id, or `admin:<access key id>`. */
  actor?: string;
  /** When it happened (ISO 8601). */
  at: string;
  /**
   * The change it was read from (`<table>/<eventID>`): one entry per change, however often
   * the stream delivers it.
   */
  source: string;
  detail?: AuditDetail;
}

export interface AuditEntry extends AuditFact {
  /** Its position, from 1, without gaps. */
  seq: number;
  /** The previous entry's `hash` (64 zeros for the first). */
  prev: string;
  /** SHA-256 of this entry's canonical form without `hash`. */
  hash: string;
}

export interface AuditQuery {
  userId?: string;
  /** Entries at or after this time (ISO 8601). */
  since?: string;
}

export interface AuditLog {
  /** Appends the facts in order, skipping any whose source is already in; resolves to how many were added. */
  append(facts: readonly AuditFact[]): Promise<number>;
  /** Entries in chain order, filtered. */
  entries(query?: AuditQuery): AsyncIterable<AuditEntry>;
  close(): Promise<void>;
}

export const genesisHash = '0'.repeat(64);

/** JSON with keys sorted at every level, and no whitespace: the bytes that are hashed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash an entry must carry: of everything in it but the hash itself. */
export function entryHash(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Places facts after `head` (the last entry, if any). */
export function chainFacts(
  head: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  facts: readonly AuditFact[],
): AuditEntry[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? genesisHash;
  return facts.map((fact) => {
    const unhashed = { ...fact, seq: ++seq, prev };
    const entry = { ...unhashed, hash: entryHash(unhashed) };
    prev = entry.hash;
    return entry;
  });
}

export type AuditVerdict =
  { ok: true; entries: number; head: string } | { ok: false; entries: number; seq: number; reason: string };

/**
 * Walks the whole log in its stored order and names the first entry that breaks the chain:
 * one whose content no longer matches its hash (changed), whose position is not the next
 * (removed or reordered), or whose `prev` is not its predecessor's hash (changed and rehashed).
 */
export async function verifyChain(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
): Promise<AuditVerdict> {
  let count = 0;
  let previous: Pick<AuditEntry, 'seq' | 'hash'> = { seq: 0, hash: genesisHash };
  for await (const entry of entries) {
    count++;
    const fail = (reason: string): AuditVerdict => ({
      ok: false,
      entries: count,
      seq: previous.seq + 1,
      reason,
    });
    if (entry.seq !== previous.seq + 1)
      return fail(
        entry.seq > previous.seq + 1
          ? `entry ${previous.seq + 1} is missing (found ${entry.seq} after ${previous.seq})`
          : `entry ${entry.seq} is out of order (found after ${previous.seq})`,
      );
    if (entryHash(entry) !== entry.hash)
      return fail(`entry ${entry.seq} was changed: its content does not match its hash`);
    if (entry.prev !== previous.hash)
      return fail(`entry ${entry.seq} does not follow entry ${previous.seq}: the previous hash differs`);
    previous = entry;
  }
  return { ok: true, entries: count, head: previous.hash };
}
