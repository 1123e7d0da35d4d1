import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { requireOwnMedia } from '../media/require-media.ts';
import { byTypeIndex, keys } from './keys.ts';
import { requireUserId, toStory, type SocialServices, type Story } from './model.ts';

/**
 * Posts a story: a photo or video uploaded for the purpose, visible for the
 * story lifetime (24 h). The story takes its id from its media's folder
 * (`stories/<userId>/<storyId>/…`, the design's layout), so one upload makes
 * one story; the item's TTL removes it from the table afterwards.
 */
export async function createStory(
  viewerId: string,
  input: { mediaKey: string },
  {
    store,
    clock,
    settings,
    confirmUpload,
  }: Pick<SocialServices, 'store' | 'clock' | 'settings' | 'confirmUpload'>,
): Promise<Story> {
  const authorId = requireUserId(viewerId);
  const [media] = await requireOwnMedia([input?.mediaKey], authorId, 'STORY', { store, confirmUpload });
  const id = (media as { key: string }).key.split('/')[2] as string;
  const now = clock.now();
  const createdAt = new Date(now).toISOString();
  const expiresAt = new Date(now + settings.storyLifetimeMs).toISOString();
  const story = {
    ...keys.story(authorId, id),
    ...byTypeIndex('STORY', createdAt),
    id,
    authorId,
    mediaKey: input.mediaKey,
    createdAt,
    expiresAt,
    ttl: Math.ceil((now + settings.storyLifetimeMs) / 1000),
  };
  try {
    await store.put({ item: story, conditions: [{ op: 'itemNotExists' }] });
  } catch (error) {
    if (isPlazaError(error, 'ConditionalCheckFailedException'))
      throw new PlazaError('Conflict', 'This upload is already a story');
    throw error;
  }
  return toStory(story);
}
