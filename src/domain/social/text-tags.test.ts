import { describe, expect, it } from 'vitest';
import {
  hashtagsIn,
  maxHashtagLength,
  maxHashtags,
  maxMentions,
  mentionsIn,
  normalizeHashtag,
} from './text-tags.ts';

describe('mentionsIn', () => {
  it('finds usernames once each, lowercased, not addresses, a trailing full stop left out', () => {
    expect(mentionsIn('Hi @Ada and @ben.k, mail cy@example.com; thanks @ada. @x')).toEqual(['ada', 'ben.k']);
  });
  it('stops at the limit', () => {
    const text = Array.from({ length: 20 }, (_, i) => `@user${i}`).join(' ');
    expect(mentionsIn(text)).toHaveLength(maxMentions);
  });
});

describe('hashtagsIn', () => {
  it('normalizes to NFC and lowercase, and keeps each tag once', () => {
    // "Café" with a combining accent and with a precomposed one are one tag.
    expect(hashtagsIn('#Cafe\u0301 and #café, #Sun_set! a#b #1 &#39;')).toEqual(['café', 'sun_set']);
  });
  it('cuts long tags and stops at the limit', () => {
    expect(hashtagsIn(`#${'a'.repeat(100)}`)).toEqual(['a'.repeat(maxHashtagLength)]);
    const text = Array.from({ length: 15 }, (_, i) => `#tag${i}`).join(' ');
    expect(hashtagsIn(text)).toHaveLength(maxHashtags);
  });
  it('normalizes a looked-up tag like a written one, and refuses what is no tag', () => {
    expect(normalizeHashtag('#Cafe\u0301')).toBe('café');
    expect(normalizeHashtag('2026')).toBeUndefined();
    expect(normalizeHashtag('a b')).toBeUndefined();
    expect(normalizeHashtag('')).toBeUndefined();
  });
});
