/**
 * The `@mentions` and `#hashtags` in a post's description or a comment, read the same way when the
 * text is written and when it is deleted, so what a write indexed or notified its deletion finds.
 */

/** Mentions notified per text: a post naming fifty people is spam, not fifty notifications. */
export const maxMentions = 10;
/** Hashtags indexed per post (each is one more item written with the post). */
export const maxHashtags = 10;
/** Longer tags are cut here, so a key never grows with what a user types. */
export const maxHashtagLength = 64;

// Usernames are [a-z0-9_.]{3,30} in any case (update-profile.ts); an address (ada@example.com) is no mention.
const mentionPattern = /(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_.]{3,40})/gu;
// A tag is letters, digits and underscores in any script; "#1" or "a#b" is not one.
const hashtagPattern = /(?<![\p{L}\p{N}_&#])#([\p{L}\p{M}\p{N}_]+)/gu;

/** The lowercased usernames a text mentions, each once, in order, at most `maxMentions`. */
export function mentionsIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(mentionPattern)) {
    // A sentence may end right after a name ("thanks @ada.").
    const name = (match[1] ?? '').replace(/\.+$/, '').toLowerCase();
    if (name.length >= 3 && name.length <= 30) names.add(name);
    if (names.size === maxMentions) break;
  }
  return [...names];
}

/**
 * A tag as stored and looked up: without its `#`, NFC-normalized (so "é" typed either way is one
 * tag), lowercased, at most `maxHashtagLength` characters; undefined when nothing is left.
 */
export function normalizeHashtag(tag: string): string | undefined {
  const text = [...tag.normalize('NFC').replace(/^#/, '').toLowerCase()].slice(0, maxHashtagLength).join('');
  return /^[\p{L}\p{M}\p{N}_]+$/u.test(text) && /[\p{L}\p{M}_]/u.test(text) ? text : undefined;
}

/** The normalized hashtags of a text, each once, in order, at most `maxHashtags`. */
export function hashtagsIn(text: string): string[] {
  const tags = new Set<string>();
  for (const match of text.normalize('NFC').matchAll(hashtagPattern)) {
    const tag = normalizeHashtag(match[1] ?? '');
    if (tag) tags.add(tag);
    if (tags.size === maxHashtags) break;
  }
  return [...tags];
}
