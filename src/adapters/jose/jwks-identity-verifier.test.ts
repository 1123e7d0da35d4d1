/**
 * Forged and mutated tokens: none of at least 10,000 variants of a good token
 * is accepted (alg none, HS256 keyed with the public key, an embedded attacker
 * key, bit flips anywhere, wrong issuer, client, token_use, expired).
 */
import { createHmac, randomInt } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importSPKI,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../ports/clock.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { jwksIdentityVerifier } from './jwks-identity-verifier.ts';

const issuer = 'http://127.0.0.1:4000/us-west-1_Abcdefghi';
const clientId = 'client123';
const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
let privateKey: CryptoKey;
let publicPem: string;
let verifier: IdentityVerifier;
let good: string;

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function sign(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey; header?: Record<string, unknown> } = {},
) {
  const now = Math.floor(clock.now() / 1000);
  return new SignJWT({ token_use: 'access', client_id: clientId, username: 'u1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', ...options.header })
    .setIssuer(String(claims.iss ?? issuer))
    .setSubject('u1')
    .setIssuedAt(now)
    .setExpirationTime(Number(claims.exp ?? now + 3600))
    .sign(options.key ?? privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' } as JWK;
  verifier = jwksIdentityVerifier({
    issuer,
    clientIds: [clientId],
    keys: createLocalJWKSet({ keys: [jwk] }),
    clock,
    cacheSize: 10,
  });
  good = await sign({});
});

async function accepted(token: string): Promise<boolean> {
  try {
    await verifier.verify(token);
    return true;
  } catch {
    return false;
  }
}

describe('token verification', () => {
  it('accepts the good token, and an ID token for its client', async () => {
    expect(await accepted(good)).toBe(true);
    expect(await accepted(await sign({ token_use: 'id', client_id: undefined, aud: clientId }))).toBe(true);
  });

  it('accepts none of 10,000 forged or mutated tokens', async () => {
    const [header, payload] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const forged: string[] = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${b64({ alg: 'none' })}.${payload}`,
      `${b64({ alg: 'HS256', kid: 'k1' })}.${payload}.${createHmac('sha256', publicPem)
        .update(`${b64({ alg: 'HS256', kid: 'k1' })}.${payload}`)
        .digest('base64url')}`,
      await sign({}, { key: attacker.privateKey, header: { jwk: attackerJwk } }),
      await sign({}, { key: attacker.privateKey, header: { jku: 'http://127.0.0.1:9/jwks.json' } }),
      await sign({}, { key: attacker.privateKey, header: { x5u: 'http://127.0.0.1:9/cert' } }),
      await sign({ iss: 'https://cognito-idp.us-west-1.amazonaws.com/us-west-1_Other' }),
      await sign({ client_id: 'another-client' }),
      await sign({ token_use: 'refresh' }),
      await sign({ token_use: 'id', client_id: undefined, aud: 'another-client' }),
      await sign({ exp: Math.floor(clock.now() / 1000) - 1 }),
      `${header}.${b64({ ...claims, sub: 'someone-else' })}.${good.split('.')[2]}`,
      `${header}.${b64({ ...claims, exp: 9_999_999_999 })}.${good.split('.')[2]}`,
      '',
      'not a token',
      `${header}.${payload}`,
    ];
    // Bit flips anywhere in the token, and truncations.
    while (forged.length < 10_000) {
      const position = randomInt(0, good.length);
      const bytes = Buffer.from(good);
      if (bytes[position] === 0x2e) continue;
      bytes[position] = (bytes[position] as number) ^ (1 << randomInt(0, 6));
      const mutated = bytes.toString('latin1');
      if (mutated !== good)
        forged.push(forged.length % 50 === 0 ? good.slice(0, randomInt(1, good.length - 1)) : mutated);
    }
    let acceptedCount = 0;
    for (const token of forged) {
      if (token !== good && (await accepted(token))) {
        // A flip in base64url padding bits can decode to the very same bytes: that is the same token.
        const same = token
          .split('.')
          .every((part, i) =>
            Buffer.from(part, 'base64url').equals(Buffer.from(good.split('.')[i] ?? '', 'base64url')),
          );
        if (!same) acceptedCount++;
      }
    }
    expect(forged.length).toBeGreaterThanOrEqual(10_000);
    expect(acceptedCount).toBe(0);
  }, 60_000);

  it('takes nothing from its cache for a token that ends as a cached one does', async () => {
    // The cache is keyed by the signature's end: a token with a good token's signature and another
    // payload shares that key, and must be verified, not answered from the good token's entry.
    expect((await verifier.verify(good)).sub).toBe('u1');
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const borrowed = `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`;
    await expect(verifier.verify(borrowed)).rejects.toThrow(/Valid authorization header not provided/);
    expect((await verifier.verify(good)).sub).toBe('u1');
  });

  it('refuses a token once its user signed out everywhere, even from its cache', async () => {
    let validAfter = 0;
    const jwk = {
      ...(await exportJWK(await importSPKI(publicPem, 'RS256'))),
      kid: 'k1',
      alg: 'RS256',
    } as JWK;
    const revocable = jwksIdentityVerifier({
      issuer,
      clientIds: [clientId],
      keys: createLocalJWKSet({ keys: [jwk] }),
      clock,
      validAfter: async () => validAfter,
    });
    expect((await revocable.verify(good)).sub).toBe('u1');
    validAfter = clock.now() + 5000;
    await expect(revocable.verify(good)).rejects.toThrow(/revoked/);
  });

  it('verifies a new token once for a burst of requests, and fails them all alike', async () => {
    let keyLookups = 0;
    const jwk = {
      ...(await exportJWK(await importSPKI(publicPem, 'RS256'))),
      kid: 'k1',
      alg: 'RS256',
    } as JWK;
    const keys = createLocalJWKSet({ keys: [jwk] });
    const counting = jwksIdentityVerifier({
      issuer,
      clientIds: [clientId],
      keys: (...args: Parameters<typeof keys>) => {
        keyLookups++;
        return keys(...args);
      },
      clock,
    });
    const fresh = await sign({ username: 'burst' });
    const callers = await Promise.all(Array.from({ length: 20 }, () => counting.verify(fresh)));
    expect(new Set(callers.map((caller) => caller.username))).toEqual(new Set(['burst']));
    expect(keyLookups).toBe(1);
    // A bad token's burst is refused each time, and a later try verifies again.
    const bad = `${fresh.slice(0, -4)}AAAA`;
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => counting.verify(bad)));
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    await expect(counting.verify(bad)).rejects.toThrow(/Valid authorization header not provided/);
    expect(keyLookups).toBe(3);
  });
});
