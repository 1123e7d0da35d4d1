import { partitions, sortPrefixes } from './keys.ts';
import { pageSize, requireUlid, toComment, type Comment, type Page, type SocialServices } from './model.ts';

/** A post's comments, oldest first. */
export async function listComments(
  postId: string,
  options: { limit?: number; cursor?: string },
  { store }: Pick<SocialServices, 'store'>,
): Promise<Page<Comment>> {
  const page = await store.query({
    partition: partitions.post(requireUlid(postId, 'postId')),
    sortKey: { op: 'beginsWith', value: sortPrefixes.comment },
    limit: pageSize(options.limit),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  return { items: page.items.map(toComment), cursor: page.cursor };
}
