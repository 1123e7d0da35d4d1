import { afterEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from '../social/add-comment.ts';
import { createPost } from '../social/create-post.ts';
import { keys, partitions } from '../social/keys.ts';
import { reportContent } from './report-content.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('reportContent', () => {
  it('reports a post, a comment or a user, naming whose it is, with a twin in their partition', async () => {
    world = socialWorld();
    const [ana, ben] = [await world.user('ana'), await world.user('ben')];
    const post = await createPost(ben, { description: 'buy my stuff' }, world.social);
    const comment = await addComment(ben, post.id, 'really, buy it', world.social);

    const ofPost = await reportContent(ana, { postId: post.id, reason: 'SPAM', note: ' ads ' }, world.social);
    expect(ofPost).toMatchObject({
      reporterId: ana,
      targetType: 'POST',
      userId: ben,
      postId: post.id,
      reason: 'SPAM',
      note: 'ads',
      status: 'OPEN',
    });
    const ofComment = await reportContent(
      ana,
      { postId: post.id, commentId: comment.id, reason: 'HARASSMENT' },
      world.social,
    );
    expect(ofComment).toMatchObject({ targetType: 'COMMENT', userId: ben, commentId: comment.id });
    expect(ofComment).not.toHaveProperty('note');
    const ofUser = await reportContent(ana, { userId: ben, reason: 'OTHER', note: '' }, world.social);
    expect(ofUser).toMatchObject({ targetType: 'USER', userId: ben });

    const twins = await world.social.store.query({
      partition: partitions.user(ben),
      sortKey: { op: 'beginsWith', value: 'REPORTED#' },
    });
    expect(twins.items.map((item) => item.reportId)).toEqual([ofPost.id, ofComment.id, ofUser.id]);
    expect((await world.social.store.get(keys.report(ofPost.id))).item).toMatchObject({
      GSI3PK: 'REPORTS#OPEN',
      GSI1PK: `OWNER#${ana}`,
    });
  });

  it('refuses what does not exist, oneself, unclear targets and bad reasons, writing nothing', async () => {
    world = socialWorld();
    const [ana, ben] = [await world.user('ana'), await world.user('ben')];
    const post = await createPost(ana, { description: 'mine' }, world.social);
    const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    await failsWith(reportContent(ana, { postId: missing, reason: 'SPAM' }, world.social), 'NotFound');
    await failsWith(
      reportContent(ana, { postId: post.id, commentId: missing, reason: 'SPAM' }, world.social),
      'NotFound',
    );
    await failsWith(
      reportContent(ana, { userId: '0b5e1c9a-0000-4000-8000-00000000dead', reason: 'SPAM' }, world.social),
      'NotFound',
    );
    expect(
      await rejectionMessage(reportContent(ana, { userId: ana, reason: 'SPAM' }, world.social), 'BadInput'),
    ).toBe('You cannot report yourself');
    await failsWith(reportContent(ana, { postId: post.id, reason: 'SPAM' }, world.social), 'BadInput');
    await failsWith(reportContent(ben, { reason: 'SPAM' }, world.social), 'BadInput');
    await failsWith(
      reportContent(ben, { postId: post.id, userId: ana, reason: 'SPAM' }, world.social),
      'BadInput',
    );
    await failsWith(reportContent(ben, { commentId: missing, reason: 'SPAM' }, world.social), 'BadInput');
    await failsWith(reportContent(ben, { postId: post.id, reason: 'RUDE' }, world.social), 'BadInput');
    await failsWith(
      reportContent(ben, { postId: post.id, reason: 'SPAM', note: 'x'.repeat(1001) }, world.social),
      'BadInput',
    );
    await failsWith(reportContent(ben, { postId: 'POST#1', reason: 'SPAM' }, world.social), 'BadInput');
    const reports = await world.social.store.query({ index: 'GSI3', partition: 'REPORTS#OPEN' });
    expect(reports.items).toEqual([]);
  });
});
