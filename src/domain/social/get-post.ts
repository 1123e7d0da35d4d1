import { PlazaError } from '../../platform/errors.ts';
import { keys } from './keys.ts';
import { requireUlid, toPost, type Post, type SocialServices } from './model.ts';

export async function getPost(postId: string, { store }: Pick<SocialServices, 'store'>): Promise<Post> {
  const { item } = await store.get(keys.post(requireUlid(postId, 'postId')));
  if (!item) throw new PlazaError('NotFound', `No post ${postId}`);
  return toPost(item);
}
