/**
 * S3 keys as object-store keys. Amplify's keys name identities (`protected/us-west-1:<uuid>/…`)
 * and users' file names, but the store takes only a narrow, path-safe alphabet; every other
 * character (and `!`, the escape) is written as `!` and its UTF-8 bytes in hex. The escape works
 * character by character, so a prefix of a key stays a prefix of the stored key, and keys the
 * server itself writes (`users/<id>/…`) are stored as they are.
 */
const plain = /[A-Za-z0-9_.*'()\-/]/;

export function storeKeyOf(key: string): string {
  let stored = '';
  for (const character of key) {
    stored += plain.test(character)
      ? character
      : [...Buffer.from(character, 'utf8')]
          .map((byte) => `!${byte.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
  }
  return stored;
}

/** The S3 key a stored key stands for; undefined when it is not one storeKeyOf writes. */
export function s3KeyOf(stored: string): string | undefined {
  if (/!(?![0-9A-F]{2})/.test(stored) || /%/.test(stored)) return undefined;
  try {
    return decodeURIComponent(stored.replace(/!/g, '%'));
  } catch {
    return undefined;
  }
}

/**
 * A position after every stored key that starts with `prefix`: the escaped alphabet ends at `z`,
 * so `~` sorts after anything that can follow.
 */
export function afterPrefix(storedPrefix: string): string {
  return `${storedPrefix}~`;
}
