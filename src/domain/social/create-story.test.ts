import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createStory } from './create-story.ts';
import { listStories } from './list-stories.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('createStory', () => {
  it('makes one story of one story upload, named after its folder, living the story lifetime', async () => {
    world = socialWorld({ storyLifetimeMs: 3600_000 });
    const ana = await world.user('ana');
    const mediaKey = await world.upload(ana, 'STORY');
    const story = await createStory(ana, { mediaKey }, world.social);
    expect(story.id).toBe(mediaKey.split('/')[2]);
    expect(Date.parse(story.expiresAt) - Date.parse(story.createdAt)).toBe(3600_000);
    expect(await listStories(ana, world.social)).toEqual([story]);
    await failsWith(createStory(ana, { mediaKey }, world.social), 'Conflict');
    expect(await listStories(ana, world.social)).toHaveLength(1);
  });

  it('refuses media that is not the user’s own arrived story upload', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    for (const mediaKey of [
      await world.upload(ben, 'STORY'),
      await world.upload(ana, 'POST'),
      await world.upload(ana, 'STORY', { uploaded: false }),
      await world.upload(ana, 'STORY', { failed: true }),
      `stories/${ana}/${world.social.ids.ulid()}/image.jpg`,
      '',
    ]) {
      await failsWith(createStory(ana, { mediaKey }, world.social), 'BadInput');
    }
    expect(await listStories(ana, world.social)).toEqual([]);
  });
});
