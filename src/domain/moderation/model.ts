/**
 * Reports and what moderators do with them. A report is one item (`REPORT#<id>`), indexed by
 * status for the moderators' queue, by its reporter on the owner index and with a twin in the
 * reported user's partition, so erasing either account removes it (a report names both).
 */
import { PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';
import type { Item, ItemStore } from '../../ports/item-store/item-store.ts';
import type { UserDirectory } from '../../ports/user-directory.ts';

export const reportReasons = ['SPAM', 'HARASSMENT', 'NUDITY', 'VIOLENCE', 'HATE', 'OTHER'] as const;
export type ReportReason = (typeof reportReasons)[number];

export const reportStatuses = ['OPEN', 'RESOLVED'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export const moderationActions = ['DISMISS', 'REMOVE_CONTENT', 'SUSPEND_USER'] as const;
export type ModerationAction = (typeof moderationActions)[number];

export type ReportTarget = 'POST' | 'COMMENT' | 'USER';

export interface Report {
  id: string;
  reporterId: string;
  targetType: ReportTarget;
  /** The reported user: the one reported, or the author of the reported post or comment. */
  userId: string;
  postId?: string;
  commentId?: string;
  reason: ReportReason;
  note?: string;
  status: ReportStatus;
  action?: ModerationAction;
  resolvedBy?: string;
  resolvedAt?: string;
  createdAt: string;
}

export interface ModerationServices {
  store: ItemStore;
  clock: Clock;
  ids: Ids;
  /** Where a suspended user is disabled and signed out. */
  directory: Pick<UserDirectory, 'setEnabled'>;
}

export const limits = { noteLength: 1000 };

export function toReport(item: Item): Report {
  return {
    id: String(item.id),
    reporterId: String(item.reporterId),
    targetType: item.targetType as ReportTarget,
    userId: String(item.userId),
    ...(typeof item.postId === 'string' ? { postId: item.postId } : {}),
    ...(typeof item.commentId === 'string' ? { commentId: item.commentId } : {}),
    reason: item.reason as ReportReason,
    ...(typeof item.note === 'string' ? { note: item.note } : {}),
    status: item.status as ReportStatus,
    ...(typeof item.action === 'string' ? { action: item.action as ModerationAction } : {}),
    ...(typeof item.resolvedBy === 'string' ? { resolvedBy: item.resolvedBy } : {}),
    ...(typeof item.resolvedAt === 'string' ? { resolvedAt: item.resolvedAt } : {}),
    createdAt: String(item.createdAt),
  };
}

/** One of `allowed`, or BadInput naming the field and what it may be. */
export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new PlazaError('BadInput', `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}
