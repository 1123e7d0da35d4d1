/**
 * Admin operations for the audit log. A user record's change says what changed, not who changed
 * it; an operation signed with the admin credentials leaves one item more, which names the
 * operation, the key that signed it and whom it concerned, and reaches the audit log by the pool
 * table's change stream like every other identity event (ADR 0010). The item is deleted as soon as
 * it is written: its change record carries it to the audit log, and no row naming the user stays
 * behind (an AdminDeleteUser leaves nothing of them in the table).
 */
import { auditedItem } from '../audit/audit-facts.ts';
import { findUserBySignInName, type IdentityServices } from './model.ts';

/** Admin operations that change nothing (reads) or that sign in (their auth events say it). */
const notRecorded = /^(AdminGet|AdminList|Get|List|Describe|AdminInitiateAuth|AdminRespondToAuthChallenge)/;

export function isRecordedAdminOperation(operation: string): boolean {
  return !notRecorded.test(operation);
}

/** Whom an admin request names, read before the operation runs (AdminDeleteUser leaves nobody after). */
export async function adminOperationSubject(
  request: Record<string, unknown>,
  services: Pick<IdentityServices, 'users'>,
): Promise<string | undefined> {
  if (typeof request.Username !== 'string' || request.Username.length === 0) return undefined;
  const user = await findUserBySignInName(request.Username, services).catch(() => undefined);
  return user?.sub;
}

export async function recordAdminOperation(
  operation: {
    name: string;
    accessKeyId: string;
    subject: string | undefined;
    request: Record<string, unknown>;
  },
  { users, clock, ids }: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<void> {
  const { request } = operation;
  const key = { PK: `ADMINOP#${ids.ulid()}`, SK: 'ADMINOP' };
  await users.put({
    item: {
      ...key,
      ...auditedItem({
        kind: 'admin',
        action: operation.name,
        actor: `admin:${operation.accessKeyId}`,
        ...(operation.subject ? { userId: operation.subject } : {}),
        detail: {
          ...(typeof request.Username === 'string' ? { username: request.Username } : {}),
          ...(typeof request.GroupName === 'string' ? { group: request.GroupName } : {}),
        },
      }),
      // Should the delete below not happen (a crash between the two), the TTL removes it.
      ttl: Math.ceil(clock.now() / 1000) + 24 * 3600,
    },
  });
  await users.delete({ key });
}
