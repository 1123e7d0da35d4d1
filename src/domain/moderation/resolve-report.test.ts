import { afterEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from '../social/add-comment.ts';
import { createPost } from '../social/create-post.ts';
import { deletePost } from '../social/delete-post.ts';
import { getProfile } from '../social/get-profile.ts';
import { keys } from '../social/keys.ts';
import { reportContent } from './report-content.ts';
import { resolveReport } from './resolve-report.ts';

let world: SocialWorld;
afterEach(() => world.close());

function moderation() {
  const suspended: [string, boolean][] = [];
  const services = {
    ...world.social,
    directory: {
      setEnabled: async (userId: string, enabled: boolean) => void suspended.push([userId, enabled]),
    },
  };
  return { services, suspended };
}

describe('resolveReport', () => {
  it('removes a reported post or comment whoever wrote it, and records who decided what', async () => {
    world = socialWorld();
    const [ana, ben, mod] = [await world.user('ana'), await world.user('ben'), await world.user('mod')];
    const { services, suspended } = moderation();
    const post = await createPost(ben, { description: 'spam' }, world.social);
    const other = await createPost(ana, { description: 'fine' }, world.social);
    const comment = await addComment(ben, other.id, 'spam again', world.social);
    const ofPost = await reportContent(ana, { postId: post.id, reason: 'SPAM' }, world.social);
    const ofComment = await reportContent(
      ana,
      { postId: other.id, commentId: comment.id, reason: 'SPAM' },
      world.social,
    );

    world.clock.advance(5000);
    const resolved = await resolveReport(mod, ofPost.id, 'REMOVE_CONTENT', services);
    expect(resolved).toMatchObject({
      status: 'RESOLVED',
      action: 'REMOVE_CONTENT',
      resolvedBy: mod,
      resolvedAt: new Date(world.clock.now()).toISOString(),
    });
    expect((await world.social.store.get(keys.post(post.id))).item).toBeUndefined();
    expect((await getProfile(ben, world.social)).postCount).toBe(0);
    await resolveReport(mod, ofComment.id, 'REMOVE_CONTENT', services);
    expect((await world.social.store.get(keys.comment(other.id, comment.id))).item).toBeUndefined();
    expect((await world.social.store.get(keys.post(other.id))).item?.commentCount).toBe(0);
    expect((await world.social.store.get(keys.report(ofPost.id))).item).toMatchObject({
      GSI3PK: 'REPORTS#RESOLVED',
      audit: { kind: 'action', action: 'report.resolved', actor: mod, userId: ben },
    });
    expect(suspended).toEqual([]);
  });

  it('suspends the reported user, dismisses, and refuses acting twice or what cannot apply', async () => {
    world = socialWorld();
    const [ana, ben, mod] = [await world.user('ana'), await world.user('ben'), await world.user('mod')];
    const { services, suspended } = moderation();
    const ofUser = await reportContent(ana, { userId: ben, reason: 'HARASSMENT' }, world.social);
    await failsWith(resolveReport(mod, ofUser.id, 'REMOVE_CONTENT', services), 'BadInput');
    await failsWith(resolveReport(mod, ofUser.id, 'BAN', services), 'BadInput');
    await failsWith(resolveReport(mod, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'DISMISS', services), 'NotFound');
    await failsWith(resolveReport(mod, 'nope', 'DISMISS', services), 'BadInput');
    expect((await world.social.store.get(keys.report(ofUser.id))).item?.status).toBe('OPEN');

    await resolveReport(mod, ofUser.id, 'SUSPEND_USER', services);
    expect(suspended).toEqual([[ben, false]]);
    expect(await rejectionMessage(resolveReport(mod, ofUser.id, 'DISMISS', services), 'BadInput')).toBe(
      `Report ${ofUser.id} is already resolved (SUSPEND_USER)`,
    );

    // A post its author deleted before the moderator came to it: the report is still resolved.
    const post = await createPost(ben, { description: 'gone soon' }, world.social);
    const ofPost = await reportContent(ana, { postId: post.id, reason: 'SPAM' }, world.social);
    await deletePost(ben, post.id, world.social);
    expect((await resolveReport(mod, ofPost.id, 'REMOVE_CONTENT', services)).status).toBe('RESOLVED');
    const dismissed = await reportContent(ana, { userId: ben, reason: 'OTHER' }, world.social);
    expect((await resolveReport(mod, dismissed.id, 'DISMISS', services)).action).toBe('DISMISS');
    expect(suspended).toHaveLength(1);
  });
});
