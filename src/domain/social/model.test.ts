import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test/support/fails-with.ts';
import {
  pageSize,
  requireText,
  requireUlid,
  requireUserId,
  text,
  toComment,
  toPost,
  toProfile,
  toStory,
} from './model.ts';

describe('input checks', () => {
  it('take Cognito-like user ids and ULIDs, and name the field they refuse', () => {
    expect(requireUserId('00000000-0000-4000-8000-616461000000')).toBe(
      '00000000-0000-4000-8000-616461000000',
    );
    for (const bad of ['', 'a/b', 'x'.repeat(65), 42 as unknown as string])
      expect(thrownMessage(() => requireUserId(bad, 'authorId'), 'BadInput')).toBe(
        'authorId is not a valid user id',
      );
    expect(requireUlid('01KDHZ8Q0000000000000000AA', 'postId')).toBe('01KDHZ8Q0000000000000000AA');
    for (const bad of ['01KDHZ8Q0000000000000000aa', '01KDHZ8Q0000000000000000IL', 'short'])
      expect(thrownMessage(() => requireUlid(bad, 'postId'), 'BadInput')).toBe('postId is not a valid id');
  });

  it('trim text, count characters rather than code units, and refuse empty text unless allowed', () => {
    expect(requireText('  hello  ', 'content', 5)).toBe('hello');
    expect(requireText('😀'.repeat(3), 'content', 3)).toBe('😀😀😀');
    expect(thrownMessage(() => requireText('😀'.repeat(4), 'content', 3), 'BadInput')).toBe(
      'content is longer than 3 characters',
    );
    expect(thrownMessage(() => requireText('   ', 'content', 3), 'BadInput')).toBe(
      'content must not be empty',
    );
    expect(requireText('   ', 'bio', 3, { allowEmpty: true })).toBe('');
    expect(thrownMessage(() => requireText(7 as unknown as string, 'bio', 3), 'BadInput')).toBe(
      'bio must be text',
    );
  });

  it('page 20 by default, and 1 to 100 when asked', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, 101, 2.5, -1])
      expect(thrownMessage(() => pageSize(bad), 'BadInput')).toBe('limit must be between 1 and 100');
  });
});

describe('items to API shapes', () => {
  it('read an attribute as text: a string as it is, anything else as String() writes it', () => {
    const id = 'p1';
    expect(text(id)).toBe(id);
    expect(text(42)).toBe('42');
    expect(text(undefined)).toBe('undefined');
    expect(text(null)).toBe('null');
    expect(text(true)).toBe('true');
  });

  it('read a profile with zero counts for missing ones and only the optional fields it has', () => {
    expect(
      toProfile({ PK: 'USER#a', SK: 'PROFILE', id: 'a', createdAt: 't', username: 'ada', bio: 5 }),
    ).toEqual({
      id: 'a',
      followerCount: 0,
      followingCount: 0,
      postCount: 0,
      createdAt: 't',
      username: 'ada',
    });
  });

  it('read a post, its media keys and alt texts as text, and comments and stories', () => {
    expect(
      toPost({
        PK: 'POST#p',
        SK: 'METADATA',
        id: 'p',
        authorId: 'a',
        mediaKeys: ['k1', 2],
        altTexts: { k1: 'a harbour', k2: 3 },
        likeCount: 4,
        createdAt: 't',
      }),
    ).toEqual({
      id: 'p',
      authorId: 'a',
      description: '',
      mediaKeys: ['k1', '2'],
      altTexts: { k1: 'a harbour', k2: '3' },
      likeCount: 4,
      commentCount: 0,
      createdAt: 't',
    });
    expect(toPost({ PK: 'POST#p', SK: 'METADATA', id: 'p', altTexts: ['no'] })).not.toHaveProperty(
      'altTexts',
    );
    expect(
      toComment({ PK: 'P', SK: 'C', id: 'c', postId: 'p', authorId: 'a', content: 'hi', createdAt: 't' }),
    ).toEqual({ id: 'c', postId: 'p', authorId: 'a', content: 'hi', createdAt: 't' });
    expect(
      toStory({ PK: 'S', SK: 'S', id: 's', authorId: 'a', mediaKey: 'm', createdAt: 't', expiresAt: 'u' }),
    ).toEqual({ id: 's', authorId: 'a', mediaKey: 'm', createdAt: 't', expiresAt: 'u' });
  });
});
