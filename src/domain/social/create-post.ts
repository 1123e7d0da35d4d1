import { PlazaError } from '../../platform/errors.ts';
import { requireOwnMedia } from '../media/require-media.ts';
import { byTypeIndex, keys, postsByTimeIndex } from './keys.ts';
import { hashtagsIn } from './text-tags.ts';
import { limits, requireText, requireUserId, toPost, type Post, type SocialServices } from './model.ts';
import { writeTogether } from './write-together.ts';

export interface NewPost {
  description: string;
  mediaKeys?: string[];
  /** A description of each photo for those who cannot see it, by its media key. */
  altTexts?: { key: string; altText: string }[];
}

/** Alt texts checked against the post's own media; empty ones are none. */
function altTextsOf(input: NewPost, mediaKeys: string[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const entry of input.altTexts ?? []) {
    if (!mediaKeys.includes(entry?.key))
      throw new PlazaError('BadInput', `altTexts names ${String(entry?.key)}, which is not one of mediaKeys`);
    const text = requireText(entry.altText, 'altText', limits.altTextLength, { allowEmpty: true });
    if (text) texts[entry.key] = text;
  }
  return texts;
}

/**
 * Writes a post, its entry in the author's list, one index item per #hashtag
 * and the author's post count in one transaction. Followers' feeds are filled from the change stream
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
  const altTexts = altTextsOf(input, mediaKeys);
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
    ...(Object.keys(altTexts).length > 0 ? { altTexts } : {}),
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
      // Erasing the post finds these again from its description (erase-post.ts).
      ...hashtagsIn(description).map((tag) => ({
        put: { ...keys.hashtagPost(tag, id), postId: id, authorId, createdAt },
      })),
    ],
    'You have no profile yet',
  );
  return toPost(post);
}
