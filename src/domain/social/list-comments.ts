import { partitions, sortPrefixes } from './keys.ts';
import { queryPage, requireUlid, toComment, type Comment, type Page, type SocialServices } from './model.ts';

/** A post's comments, oldest first. */
export async function listComments(
  postId: string,
  options: { limit?: number; cursor?: string },
  { store }: Pick<SocialServices, 'store'>,
): Promise<Page<Comment>> {
  const page = await queryPage(
    store,
    { partition: partitions.post(requireUlid(postId, 'postId')), prefix: sortPrefixes.comment },
    options,
  );
  return { items: page.items.map(toComment), cursor: page.cursor };
}
