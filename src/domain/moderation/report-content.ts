import { PlazaError } from '../../platform/errors.ts';
import type { TransactAction } from '../../ports/item-store/item-store.ts';
import { keys, ownedByIndex, reportsIndex } from '../social/keys.ts';
import { requireText, requireUlid, requireUserId } from '../social/model.ts';
import { writeTogether } from '../social/write-together.ts';
import {
  limits,
  reportReasons,
  requireOneOf,
  toReport,
  type ModerationServices,
  type Report,
  type ReportTarget,
} from './model.ts';

export interface ReportInput {
  postId?: string | null;
  commentId?: string | null;
  userId?: string | null;
  reason: string;
  note?: string | null;
}

interface Target {
  type: ReportTarget;
  userId: string;
  postId?: string;
  commentId?: string;
  /** The reported thing, which must still be there when the report is written. */
  check: TransactAction;
}

const oneThing = 'Report one thing: a post (postId), a comment (postId and commentId) or a user (userId)';

/** What the input reports, read to learn whose it is; NotFound when it is not there. */
async function targetOf(input: ReportInput, { store }: Pick<ModerationServices, 'store'>): Promise<Target> {
  const { postId, commentId, userId } = input;
  if (commentId != null) {
    if (postId == null || userId != null) throw new PlazaError('BadInput', oneThing);
    const [post, comment] = [requireUlid(postId, 'postId'), requireUlid(commentId, 'commentId')];
    const { item } = await store.get(keys.comment(post, comment));
    if (!item) throw new PlazaError('NotFound', `No comment ${comment} on post ${post}`);
    const check = { check: keys.comment(post, comment), conditions: [{ op: 'itemExists' as const }] };
    return { type: 'COMMENT', userId: String(item.authorId), postId: post, commentId: comment, check };
  }
  if (postId != null) {
    if (userId != null) throw new PlazaError('BadInput', oneThing);
    const post = requireUlid(postId, 'postId');
    const { item } = await store.get(keys.post(post));
    if (!item) throw new PlazaError('NotFound', `No post ${post}`);
    const check = { check: keys.post(post), conditions: [{ op: 'itemExists' as const }] };
    return { type: 'POST', userId: String(item.authorId), postId: post, check };
  }
  if (userId == null) throw new PlazaError('BadInput', oneThing);
  const user = requireUserId(userId, 'userId');
  const { item } = await store.get(keys.profile(user));
  if (!item) throw new PlazaError('NotFound', `No user ${user}`);
  return {
    type: 'USER',
    userId: user,
    check: { check: keys.profile(user), conditions: [{ op: 'itemExists' }] },
  };
}

/**
 * Reports a post, a comment or a user to the moderators. The report, its twin in the reported
 * user's partition and the check that the reported thing is still there go in one transaction.
 */
export async function reportContent(
  reporterId: string,
  input: ReportInput,
  services: Pick<ModerationServices, 'store' | 'clock' | 'ids'>,
): Promise<Report> {
  const reporter = requireUserId(reporterId);
  const reason = requireOneOf(input.reason, reportReasons, 'reason');
  const note =
    input.note == null ? '' : requireText(input.note, 'note', limits.noteLength, { allowEmpty: true });
  const target = await targetOf(input, services);
  if (target.userId === reporter)
    throw new PlazaError(
      'BadInput',
      target.type === 'USER' ? 'You cannot report yourself' : 'You cannot report your own content',
    );
  const id = services.ids.ulid();
  const createdAt = new Date(services.clock.now()).toISOString();
  const item = {
    ...keys.report(id),
    ...reportsIndex('OPEN', createdAt, id),
    ...ownedByIndex(reporter, `REPORT#${id}`),
    id,
    reporterId: reporter,
    targetType: target.type,
    userId: target.userId,
    ...(target.postId ? { postId: target.postId } : {}),
    ...(target.commentId ? { commentId: target.commentId } : {}),
    reason,
    ...(note ? { note } : {}),
    status: 'OPEN',
    createdAt,
  };
  await writeTogether(
    services.store,
    [
      { put: item },
      { put: { ...keys.reported(target.userId, id), reportId: id, reporterId: reporter, createdAt } },
      target.check,
    ],
    'What you reported is gone',
  );
  return toReport(item);
}
