/**
 * What the audit log records, read from the two tables' change streams (ADR 0010):
 *
 * - the user pool's table: its auth events (`USER#<sub>` / `EVENT#…`, the items
 *   AdminListUserAuthEvents lists) give sign-in attempts and requests; the user record's
 *   changes give what they did (lockout, password, MFA, status, enabled, sessions ended, created,
 *   deleted); memberships give group changes;
 * - the design's table: deletions of accounts, posts and comments;
 * - either table: any item that carries an `audit` attribute (`auditedItem`), which is how an
 *   admin operation (admin-operation-log.ts) and features such as moderation record an action
 *   and who took it, without the audit log knowing them.
 *
 * A fact's source is the change record's eventID, so a redelivered record adds nothing.
 */
import type { AuditDetail, AuditFact, AuditKind } from '../../ports/audit-log.ts';
import type { Item, StreamRecord } from '../../ports/item-store/item-store.ts';
import { attributeChanged, newImage, oldImage, recordKey } from '../../ports/item-store/stream-images.ts';

export type AuditedTable = 'main' | 'users';

/** The attribute an item carries to be recorded as an action (or an admin operation). */
export type AuditedAction = {
  kind?: Extract<AuditKind, 'admin' | 'action'>;
  action: string;
  actor?: string;
  userId?: string;
  detail?: AuditDetail;
};

/** An item's `audit` attribute: what the change records, once it commits. */
export function auditedItem(action: AuditedAction): { audit: AuditedAction } {
  return { audit: action };
}

type Fact = Omit<AuditFact, 'source' | 'at'>;

export function auditFactsOf(records: readonly StreamRecord[], table: AuditedTable): AuditFact[] {
  const facts: AuditFact[] = [];
  for (const record of records) {
    const found = table === 'users' ? poolFacts(record) : mainFacts(record);
    const audited = newAuditAction(record);
    if (audited) found.push(audited);
    // Most records are facts of nothing: their time is only written out for those that are.
    if (found.length === 0) continue;
    const at = new Date(record.dynamodb.ApproximateCreationDateTime * 1000).toISOString();
    found.forEach((fact, index) =>
      facts.push({ ...fact, at, source: `${table}/${record.eventID}${index ? `#${index}` : ''}` }),
    );
  }
  return facts;
}

/**
 * The action an item's change sets (the attribute looked for first: decoding every image to find
 * one attribute would cost each write the consumer's CPU). An item that keeps its action through
 * later changes records it once.
 */
function newAuditAction(record: StreamRecord): Fact | undefined {
  if (!attributeChanged(record, 'audit')) return undefined;
  return actionOf(newImage(record));
}

function actionOf(item: Item | undefined): Fact | undefined {
  const audit = item?.audit as Partial<AuditedAction> | undefined;
  if (!audit || typeof audit.action !== 'string') return undefined;
  return {
    kind: audit.kind === 'admin' ? 'admin' : 'action',
    action: audit.action,
    ...(typeof audit.userId === 'string' ? { userId: audit.userId } : {}),
    ...(typeof audit.actor === 'string' ? { actor: audit.actor } : {}),
    ...(audit.detail ? { detail: audit.detail } : {}),
  };
}

const userPartition = /^USER#(.+)$/;

function poolFacts(record: StreamRecord): Fact[] {
  const { PK, SK } = recordKey(record);
  const userId = userPartition.exec(PK)?.[1];
  if (!userId) return [];
  if (SK.startsWith('EVENT#') && record.eventName === 'INSERT') {
    const fact = authEventFact(newImage(record) ?? {});
    return fact ? [{ ...fact, userId, actor: userId }] : [];
  }
  if (SK === 'USER') return userRecordFacts(record, userId);
  if (SK.startsWith('GROUP#') && record.eventName !== 'MODIFY') {
    const action = record.eventName === 'INSERT' ? 'group.added' : 'group.removed';
    return [{ kind: 'account', action, userId, detail: { group: SK.slice('GROUP#'.length) } }];
  }
  return [];
}

/**
 * Attempts and requests. A password set by a change or a reset is left to the user record's
 * change, which every path (ChangePassword, ConfirmForgotPassword, AdminSetUserPassword) makes.
 */
function authEventFact(event: Item): Omit<Fact, 'userId'> | undefined {
  const challenges = Array.isArray(event.challenges) ? (event.challenges as Item[]) : [];
  const failed = challenges.find((challenge) => challenge.ChallengeResponse === 'Failure');
  const context = (event.context ?? {}) as Record<string, string>;
  const where: AuditDetail = context.IpAddress ? { ip: context.IpAddress } : {};
  switch (`${String(event.eventType)}:${String(event.eventResponse)}`) {
    case 'SignIn:Pass':
      return { kind: 'sign-in', action: 'sign-in.success', detail: where };
    case 'SignIn:Fail':
      return {
        kind: 'sign-in',
        action: 'sign-in.failure',
        detail: { ...where, ...(failed ? { challenge: String(failed.ChallengeName) } : {}) },
      };
    case 'SignUp:Pass':
      return { kind: 'account', action: 'sign-up' };
    case 'PasswordChange:Fail':
      return { kind: 'account', action: 'password.change-refused' };
    case 'ForgotPassword:InProgress':
      return { kind: 'account', action: 'password.reset-requested' };
    default:
      return undefined;
  }
}

function userRecordFacts(record: StreamRecord, userId: string): Fact[] {
  if (record.eventName === 'INSERT') return [{ kind: 'account', action: 'user.created', userId }];
  if (record.eventName === 'REMOVE') return [{ kind: 'deletion', action: 'user.deleted', userId }];
  const before = oldImage(record) ?? {};
  const after = newImage(record) ?? {};
  const changed = (name: string) => JSON.stringify(before[name]) !== JSON.stringify(after[name]);
  const facts: Fact[] = [];
  const fact = (action: string, detail?: AuditDetail) =>
    facts.push({ kind: 'account', action, userId, ...(detail ? { detail } : {}) });
  if (Number(after.lockedUntil ?? 0) > Number(before.lockedUntil ?? 0))
    facts.push({
      kind: 'sign-in',
      action: 'sign-in.lockout',
      userId,
      detail: {
        until: new Date(Number(after.lockedUntil)).toISOString(),
        failures: Number(after.failedSignIns ?? 0),
      },
    });
  if (changed('passwordHash')) fact('password.changed', { status: String(after.status) });
  if (['totpSecret', 'mfaEnabled', 'smsMfaEnabled', 'preferredMfa'].some(changed))
    fact('mfa.changed', {
      softwareToken: after.mfaEnabled === true,
      sms: after.smsMfaEnabled === true,
      ...(typeof after.preferredMfa === 'string' ? { preferred: after.preferredMfa } : {}),
    });
  if (changed('enabled')) fact(after.enabled === false ? 'user.disabled' : 'user.enabled');
  if (changed('status') && !changed('passwordHash'))
    fact('status.changed', { from: String(before.status), to: String(after.status) });
  if (Number(after.revocations ?? 0) > Number(before.revocations ?? 0)) fact('sessions.ended');
  return facts;
}

const postMetadata = /^POST#(.+)$/;

function mainFacts(record: StreamRecord): Fact[] {
  if (record.eventName !== 'REMOVE') return [];
  // What expires (stories, unused uploads) is the table's housekeeping, not a deletion.
  if (record.userIdentity?.principalId === 'dynamodb.amazonaws.com') return [];
  const { PK, SK } = recordKey(record);
  const item = oldImage(record) ?? {};
  const userId = userPartition.exec(PK)?.[1];
  if (userId && SK === 'PROFILE') return [{ kind: 'deletion', action: 'account.deleted', userId }];
  const postId = postMetadata.exec(PK)?.[1];
  if (postId && SK === 'METADATA')
    return [{ kind: 'deletion', action: 'post.deleted', userId: String(item.authorId), detail: { postId } }];
  if (postId && SK.startsWith('COMMENT#'))
    return [
      {
        kind: 'deletion',
        action: 'comment.deleted',
        userId: String(item.authorId),
        detail: { postId, commentId: SK.slice('COMMENT#'.length) },
      },
    ];
  return [];
}
