import { PlazaError } from '../../platform/errors.ts';
import { requireOwnMedia } from '../media/require-media.ts';
import { byTypeIndex, keys, postsByTimeIndex } from './keys.ts';
import { limits, requireText, requireUserId, toPost, type Post, type SocialServices } from './model.ts';
import { writeTogether } from './write-together.ts';

export interface NewPost {
  description: string;
  mediaKeys?: string[];
}

/**
 * Writes a post, its entry in the author's list and the author's post count
 * in one transaction. Followers' feeds are filled from the change stream
 * (see feed-fan-out.ts), so the request does not wait for the fan-out.
 */
export async function createPost(
  viewerId: string,
  input: NewPost,
  { store, clock, ids, confirmUpload }: Pick<SocialServices, 'store' | 'clock' | 'ids' | 'confirmUpload'>,
): Promise<Post> {
  const authorId = requireUserId(viewerId);
  const description = requireText(input.description ?? '', 'description', limits.descriptionLength, {
    allowEmpty: (input.mediaKeys?.length ?? 0) > 0,
  });
  const mediaKeys = input.mediaKeys ?? [];
  if (mediaKeys.length > limits.mediaPerPost)
    throw new PlazaError('BadInput', `A post has at most ${limits.mediaPerPost} photos`);
  // Media keys are the server's own (createUploadUrl); a post may only point at its author's uploads.
  await requireOwnMedia(mediaKeys, authorId, 'POST', { store, confirmUpload });
  const id = ids.ulid();
  const createdAt = new Date(clock.now()).toISOString();
  const post = {
    ...keys.post(id),
    ...postsByTimeIndex(createdAt, id),
    ...byTypeIndex('POST', createdAt),
    id,
    authorId,
    description,
    mediaKeys,
    likeCount: 0,
    commentCount: 0,
    createdAt,
  };
  await writeTogether(
    store,
    [
      { put: post, conditions: [{ op: 'itemNotExists' }] },
      { put: { ...keys.userPost(authorId, id), postId: id, createdAt } },
      { update: { key: keys.profile(authorId), add: { postCount: 1 } }, conditions: [{ op: 'itemExists' }] },
    ],
    'You have no profile yet',
  );
  return toPost(post);
}
