/**
 * The pool's signing keys: RS256 key pairs generated on first start and kept
 * under DATA_DIR (never committed). Each has a `kid`. Rotation adds a new key,
 * which signs from then on, and keeps the old one in the JWKS until every token
 * it signed has expired; only then is it removed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { writeFileAtomicSync } from '../../platform/atomic-file.ts';
import { readJsonFileSync, unreadableJsonFile, type JsonFileDescription } from '../../platform/json-file.ts';
import type { TokenSigner } from '../../ports/identity.ts';

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
}

export interface SigningKeyOptions {
  path: string;
  now: () => number;
  /** A key older than this is replaced at the next `refresh` (default 90 days). */
  rotateAfterMs?: number;
  /** How long a replaced key stays in the JWKS: at least the longest token lifetime. */
  retireAfterMs?: number;
}

export interface RotatingTokenSigner extends TokenSigner {
  /** Picks up keys another process wrote, and rotates when the signing key is due. */
  refresh(): Promise<void>;
  /** Adds a new signing key now (the old ones stay until their tokens expire). */
  rotate(): Promise<void>;
}

const DAY = 24 * 3600 * 1000;

async function newKey(now: number): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    privateJwk: await exportJWK(privateKey),
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    createdAt: new Date(now).toISOString(),
  };
}

/** Written atomically (temporary file, fsync, rename), so a reader never sees half a key file. */
function save(path: string, keys: StoredKey[]): void {
  writeFileAtomicSync(path, JSON.stringify(keys), { mode: 0o600 });
}

const signingKeysFile: JsonFileDescription = {
  holds: "the user pool's token signing keys (the JWKS)",
  remedy:
    'Restore it from a backup. Deleting it makes new keys at the next start: every token signed so far ' +
    '(access, ID and refresh tokens) stops verifying and every user must sign in again.',
};

/** The stored keys; a ConfigurationError naming the file when it is empty, corrupt or holds no key. */
function parseKeys(path: string): StoredKey[] {
  const keys = readJsonFileSync(path, signingKeysFile);
  const valid =
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every(
      (key: Partial<StoredKey> | null) =>
        typeof key?.kid === 'string' &&
        typeof key.privateJwk === 'object' &&
        typeof key.createdAt === 'string',
    );
  if (!valid) throw unreadableJsonFile(path, 'holds no signing keys', signingKeysFile);
  return keys as StoredKey[];
}

export async function joseTokenSigner(options: SigningKeyOptions): Promise<RotatingTokenSigner> {
  const rotateAfterMs = options.rotateAfterMs ?? 90 * DAY;
  const retireAfterMs = options.retireAfterMs ?? DAY;
  let stored: StoredKey[] = [];
  let loadedAt = 0;
  let current!: StoredKey;
  let signingKey!: CryptoKey;
  // One object per key set, so verifiers can tell when it changed.
  let jwks: { keys: Record<string, unknown>[] } = { keys: [] };

  async function use(keys: StoredKey[]): Promise<void> {
    stored = keys;
    // The newest key signs; every key verifies.
    current = keys[keys.length - 1] as StoredKey;
    signingKey = (await importJWK(current.privateJwk, 'RS256')) as CryptoKey;
    jwks = { keys: keys.map((key) => key.publicJwk as Record<string, unknown>) };
  }

  function readIfChanged(): StoredKey[] | undefined {
    if (!existsSync(options.path)) return undefined;
    const modified = statSync(options.path).mtimeMs;
    if (modified === loadedAt) return undefined;
    loadedAt = modified;
    return parseKeys(options.path);
  }

  async function rotate(): Promise<void> {
    const now = options.now();
    // A key replaced before the retirement window has no live tokens left: drop it.
    const keep = stored.filter((key, index) => {
      const replacedAt = stored[index + 1] ? Date.parse(stored[index + 1]!.createdAt) : now;
      return now - replacedAt < retireAfterMs;
    });
    const keys = [...keep, await newKey(now)];
    save(options.path, keys);
    loadedAt = statSync(options.path).mtimeMs;
    await use(keys);
  }

  const initial = readIfChanged();
  if (initial) await use(initial);
  else await rotate();

  return {
    async sign(claims, lifetimeSeconds) {
      const now = Math.floor(options.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: current.kid })
        .setIssuedAt(now)
        .setExpirationTime(now + lifetimeSeconds)
        .sign(signingKey);
    },
    jwks: () => jwks,
    rotate,
    async refresh() {
      const changed = readIfChanged();
      if (changed) await use(changed);
      if (options.now() - Date.parse(current.createdAt) >= rotateAfterMs) await rotate();
    },
  };
}
