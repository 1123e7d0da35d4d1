import { partitions, sortPrefixes } from './keys.ts';
import { hiddenAuthors } from './relations.ts';
import { queryPage, requireUlid, toComment, type Comment, type Page, type SocialServices } from './model.ts';

/** A post's comments, oldest first; a viewer does not see the comments of those they block. */
export async function listComments(
  postId: string,
  options: { limit?: number; cursor?: string },
  { store }: Pick<SocialServices, 'store'>,
  viewerId?: string,
): Promise<Page<Comment>> {
  const page = await queryPage(
    store,
    { partition: partitions.post(requireUlid(postId, 'postId')), prefix: sortPrefixes.comment },
    options,
  );
  const comments = page.items.map(toComment);
  if (!viewerId) return { items: comments, cursor: page.cursor };
  const hidden = await hiddenAuthors(
    viewerId,
    comments.map((comment) => comment.authorId),
    { store },
  );
  return { items: comments.filter((comment) => !hidden.has(comment.authorId)), cursor: page.cursor };
}
