import { PlazaError } from '../../platform/errors.ts';
import { partitions, sortPrefixes } from './keys.ts';
import { postsById } from './list-posts.ts';
import { queryPage, type Page, type Post, type SocialServices } from './model.ts';
import { hiddenAuthors } from './relations.ts';
import { normalizeHashtag } from './text-tags.ts';

/**
 * Posts with a hashtag, newest first: a key query of the tag's partition (`HASHTAG#<tag>`, one
 * item per post, written with the post), then one batch read of the posts. A viewer sees none by
 * users they block or who block them.
 */
export async function postsByHashtag(
  tag: string,
  options: { limit?: number; cursor?: string },
  services: Pick<SocialServices, 'store'>,
  viewerId?: string,
): Promise<Page<Post>> {
  const normalized = typeof tag === 'string' ? normalizeHashtag(tag) : undefined;
  if (!normalized)
    throw new PlazaError('BadInput', 'tag must be letters, digits or underscores (not only digits)');
  const page = await queryPage(
    services.store,
    { partition: partitions.hashtag(normalized), prefix: sortPrefixes.post, descending: true },
    options,
  );
  const posts = await postsById(
    page.items.map((item) => String(item.postId)),
    services,
  );
  const hidden = viewerId
    ? await hiddenAuthors(
        viewerId,
        posts.map((post) => post.authorId),
        services,
        { blockers: true },
      )
    : new Set<string>();
  return { items: posts.filter((post) => !hidden.has(post.authorId)), cursor: page.cursor };
}
