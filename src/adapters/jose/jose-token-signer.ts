/**
 * The pool's signing keys: RS256 key pairs generated on first start and kept
 * under DATA_DIR (never committed). Each has a `kid`; a new key can be added
 * for rotation while the old one stays in the JWKS until its tokens expire.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type CryptoKey } from 'jose';
import type { TokenSigner } from '../../ports/identity.ts';

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
}

export async function joseTokenSigner(options: { path: string; now: () => number }): Promise<TokenSigner> {
  let stored: StoredKey[];
  if (existsSync(options.path)) {
    stored = JSON.parse(readFileSync(options.path, 'utf8')) as StoredKey[];
  } else {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    stored = [
      {
        kid,
        privateJwk: await exportJWK(privateKey),
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
        createdAt: new Date(options.now()).toISOString(),
      },
    ];
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    writeFileSync(options.path, JSON.stringify(stored), { mode: 0o600 });
  }
  // The newest key signs; every key verifies.
  const current = stored[stored.length - 1] as StoredKey;
  const signingKey = (await importJWK(current.privateJwk, 'RS256')) as CryptoKey;
  return {
    async sign(claims, lifetimeSeconds) {
      const now = Math.floor(options.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: current.kid })
        .setIssuedAt(now)
        .setExpirationTime(now + lifetimeSeconds)
        .sign(signingKey);
    },
    jwks: () => ({ keys: stored.map((key) => key.publicJwk as Record<string, unknown>) }),
  };
}
