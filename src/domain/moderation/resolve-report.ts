import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { auditedItem } from '../audit/audit-facts.ts';
import { removeComment } from '../social/delete-comment.ts';
import { removePost } from '../social/delete-post.ts';
import { keys, reportsIndex } from '../social/keys.ts';
import { requireUlid, requireUserId } from '../social/model.ts';
import {
  moderationActions,
  requireOneOf,
  toReport,
  type ModerationAction,
  type ModerationServices,
  type Report,
} from './model.ts';

/** Carries out a moderator's decision; each is idempotent, so a retried resolution does no harm. */
async function carryOut(
  report: Report,
  action: ModerationAction,
  services: ModerationServices,
): Promise<void> {
  if (action === 'SUSPEND_USER') return services.directory.setEnabled(report.userId, false);
  if (action !== 'REMOVE_CONTENT') return;
  try {
    if (report.targetType === 'POST') await removePost(report.postId!, services);
    else if (report.targetType === 'COMMENT')
      await removeComment(report.postId!, report.commentId!, services);
    else throw new PlazaError('BadInput', 'A report of a user is resolved by DISMISS or SUSPEND_USER');
  } catch (error) {
    // Gone already (its author deleted it, or another report's resolution did): nothing to remove.
    if (!isPlazaError(error, 'NotFound')) throw error;
  }
}

/**
 * Resolves an open report (moderators only; the API checks the group): dismisses it, removes the
 * reported post or comment, or suspends the reported user (disabled, every session ended). The
 * report records the action and who took it; the audit log records it from the change stream.
 */
export async function resolveReport(
  moderatorId: string,
  reportId: string,
  actionName: string,
  services: ModerationServices,
): Promise<Report> {
  const moderator = requireUserId(moderatorId);
  const id = requireUlid(reportId, 'id');
  const action = requireOneOf(actionName, moderationActions, 'action');
  const { item } = await services.store.get(keys.report(id), { consistent: true });
  if (!item) throw new PlazaError('NotFound', `No report ${id}`);
  const report = toReport(item);
  const resolved = () =>
    new PlazaError('BadInput', `Report ${id} is already resolved (${report.action ?? 'resolved'})`);
  if (report.status !== 'OPEN') throw resolved();
  await carryOut(report, action, services);
  const resolvedAt = new Date(services.clock.now()).toISOString();
  const changes = {
    status: 'RESOLVED',
    action,
    resolvedBy: moderator,
    resolvedAt,
    ...reportsIndex('RESOLVED', resolvedAt, id),
    ...auditedItem({
      kind: 'action',
      action: 'report.resolved',
      actor: moderator,
      userId: report.userId,
      detail: { reportId: id, action },
    }),
  };
  try {
    await services.store.update({
      key: keys.report(id),
      set: changes,
      conditions: [{ op: '=', attribute: 'status', value: 'OPEN' }],
    });
  } catch (error) {
    if (isPlazaError(error, 'ConditionalCheckFailedException')) throw resolved();
    throw error;
  }
  return { ...report, status: 'RESOLVED', action, resolvedBy: moderator, resolvedAt };
}
