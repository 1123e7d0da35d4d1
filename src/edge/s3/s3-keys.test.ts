import { describe, expect, it } from 'vitest';
import { isSafeKey } from '../../ports/object-store/object-store.ts';
import { afterPrefix, s3KeyOf, storeKeyOf } from './s3-keys.ts';

describe('S3 keys in the object store', () => {
  it('escapes what the store cannot hold and reads it back', () => {
    for (const key of [
      'protected/us-west-1:abc/photo 1.jpg',
      'public/été/100%!.txt',
      'users/u1/posts/p1/original.jpg',
    ]) {
      const stored = storeKeyOf(key);
      expect(isSafeKey(stored)).toBe(true);
      expect(s3KeyOf(stored)).toBe(key);
    }
    expect(storeKeyOf('users/u1/avatar.jpg')).toBe('users/u1/avatar.jpg');
    expect(storeKeyOf('protected/us-west-1:abc')).toBe('protected/us-west-1!3Aabc');
  });

  it('keeps prefixes prefixes, and afterPrefix sorts after every key under one', () => {
    const prefix = storeKeyOf('public/a b/');
    expect(storeKeyOf('public/a b/zz~!').startsWith(prefix)).toBe(true);
    expect(storeKeyOf('public/a b/zz~!') < afterPrefix(prefix)).toBe(true);
  });

  it('refuses stored keys it did not write', () => {
    expect(s3KeyOf('public/!zz')).toBeUndefined();
    expect(s3KeyOf('public/%41')).toBeUndefined();
  });
});
