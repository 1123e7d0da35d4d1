/**
 * Amazon Cognito's identity events for the audit log and the analytics on AWS (ADR 0010), where
 * there is no pool table whose stream would carry them: the user pool's Lambda triggers (post
 * authentication, post confirmation) each leave an audited item in the design's table, which the
 * stream Lambda appends to the audit log like any other `audit` item, and whose insertion the
 * analytics count (a sign-in makes its user active that day). The item is deleted as soon as it is
 * written: its change record carries it, and nothing of it stays in the table.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';
import type { ItemStore } from '../../ports/item-store/item-store.ts';
import type { AuditDetail } from '../../ports/audit-log.ts';
import { auditedItem } from './audit-facts.ts';

/** The audited item's sort key: the analytics read a sign-in from the key, without its image. */
export const identityEventPrefix = 'IDEVENT#';

export type IdentityEventAction = 'SignIn' | 'SignUp' | 'PasswordReset';

export interface IdentityEvent {
  action: IdentityEventAction;
  /** The Plaza id (a refilled pool's users resolved through their link). */
  userId: string;
  /** Who reported it: `cognito:<trigger source>`. */
  actor: string;
  detail?: AuditDetail;
}

export async function recordIdentityEvent(
  event: IdentityEvent,
  { store, clock, ids }: { store: Pick<ItemStore, 'put' | 'delete'>; clock: Clock; ids: Ids },
): Promise<void> {
  const key = { PK: `USER#${event.userId}`, SK: `${identityEventPrefix}${event.action}#${ids.ulid()}` };
  await store.put({
    item: {
      ...key,
      ...auditedItem({
        action: event.action,
        actor: event.actor,
        userId: event.userId,
        ...(event.detail ? { detail: event.detail } : {}),
      }),
      // Should the delete below not happen, the TTL removes it.
      ttl: Math.ceil(clock.now() / 1000) + 24 * 3600,
    },
  });
  await store.delete({ key });
}

/** The user a change's key names as having signed in, for the day's active users. */
export function signedInUser(PK: string, SK: string): string | undefined {
  if (!PK.startsWith('USER#') || !SK.startsWith(`${identityEventPrefix}SignIn#`)) return undefined;
  return PK.slice('USER#'.length);
}
