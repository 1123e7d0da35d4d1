import { describe, expect, it } from 'vitest';
import { keys } from './keys.ts';

describe('the table layout', () => {
  it("gives a page of a user's likes the keys one like has, by the posts' keys", () => {
    const likedBy = keys.likesOf('ada');
    const posts = ['01J0000000000000000000000A', '01J0000000000000000000000B'].map(keys.post);
    const likes = posts.map(likedBy);
    expect(likes).toEqual([
      keys.like('01J0000000000000000000000A', 'ada'),
      keys.like('01J0000000000000000000000B', 'ada'),
    ]);
    expect(likes[0]!.PK).toBe(posts[0]!.PK);
    expect(keys.likesOf('ben')(posts[0]!)).toEqual(keys.like('01J0000000000000000000000A', 'ben'));
  });
});
