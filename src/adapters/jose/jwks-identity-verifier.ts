/**
 * Verifies user-pool tokens with jose against the pool's JSON Web Key Set,
 * exactly as AppSync does for Amazon Cognito: RS256 only, the pool's issuer,
 * `token_use` access (with `client_id`) or id (with `aud`), not expired.
 * Verified tokens are cached until they expire, so the API path does not pay
 * for a signature check on every request.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Caller, IdentityVerifier } from '../../ports/identity-verifier.ts';

type UserCaller = Extract<Caller, { kind: 'user' }>;

export interface JwksVerifierOptions {
  /** The pool's issuer; a function when it is known only once the server listens. */
  issuer: string | (() => string);
  clientIds: string[];
  /** The key set: a URL (Cognito's `.well-known/jwks.json`) or a key getter. */
  keys: URL | JWTVerifyGetKey;
  clock: Clock;
  /** Most tokens kept in the verified-token cache. */
  cacheSize?: number;
  /**
   * Tokens issued before this time (per user, ms) are refused: sign-out everywhere, password changes.
   * With `revocations` (how many times the user's sessions were ended), a token carrying the count at
   * its issue in `revocationsClaim` is refused exactly when the count has moved on since.
   */
  validAfter?: (sub: string) => RevocationState | Promise<RevocationState>;
  /** The private claim with the revocation count at the token's issue. */
  revocationsClaim?: string;
}

/** A user's revocation state: when their sessions were last ended, and how many times (none: never). */
export type RevocationState = number | { after: number; revocations: number } | undefined;

export function jwksIdentityVerifier(options: JwksVerifierOptions): IdentityVerifier {
  const getKey = options.keys instanceof URL ? createRemoteJWKSet(options.keys) : options.keys;
  // Keyed by the end of the token's signature, not the whole token: a Map hashes a new string key
  // on every lookup, and a token is about a thousand characters (a lookup 1.5 µs, by the signature's
  // last 24 characters, 144 random bits, 0.3 µs). The entry keeps the whole token, compared on a
  // hit, so two tokens with the same ending are two tokens (the second is verified, not mistaken).
  const cache = new Map<string, { token: string; caller: UserCaller; expiresAt: number; issuedAt: number }>();
  const cacheKey = (token: string) => token.slice(-24);
  const cacheSize = options.cacheSize ?? 10_000;
  const inFlight = new Map<string, Promise<UserCaller>>();
  const unauthorized = (why: string) =>
    new PlazaError('Unauthorized', `Valid authorization header not provided (${why})`);

  /** Whether a token issued at `issuedAt` (s) with `claims` survives the user's revocation state. */
  function survives(state: RevocationState, issuedAt: number, claims: Record<string, unknown>): boolean {
    if (state === undefined) return true;
    const { after, revocations } =
      typeof state === 'number' ? { after: state, revocations: undefined } : state;
    const carried = options.revocationsClaim === undefined ? undefined : claims[options.revocationsClaim];
    if (revocations !== undefined) {
      // Exact: refused once the user's sessions were ended after the token's issue, however soon after.
      if (typeof carried === 'number') return carried >= revocations;
      // A token from before counts: refused by any count-keeping revocation since.
      if (revocations > 0) return false;
    }
    // iat has whole seconds: a token from the very second of a sign-out is given the benefit of the doubt.
    return issuedAt * 1000 + 999 >= after;
  }

  /** The state comes straight from memory on the API path: awaited only when it must be read. */
  function stillValid(
    sub: string,
    issuedAt: number,
    claims: Record<string, unknown>,
  ): boolean | Promise<boolean> {
    const state = options.validAfter?.(sub);
    return state instanceof Promise
      ? state.then((loaded) => survives(loaded, issuedAt, claims))
      : survives(state, issuedAt, claims);
  }

  return {
    async verify(token) {
      const now = options.clock.now();
      const cached = cache.get(cacheKey(token));
      if (cached && cached.token === token && cached.expiresAt > now) {
        let valid = stillValid(cached.caller.sub, cached.issuedAt, cached.caller.claims);
        if (typeof valid !== 'boolean') valid = await valid;
        if (!valid) throw unauthorized('revoked');
        return cached.caller;
      }
      // A burst of requests with one new token (a client's first page, a restart) waits for one
      // verification rather than each paying for its own.
      let verifying = inFlight.get(token);
      if (!verifying) {
        verifying = verifyToken(token, now).finally(() => inFlight.delete(token));
        inFlight.set(token, verifying);
      }
      return verifying;
    },
  };

  async function verifyToken(token: string, now: number): Promise<UserCaller> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: typeof options.issuer === 'function' ? options.issuer() : options.issuer,
        algorithms: ['RS256'],
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp', 'iat', 'token_use'],
      }));
    } catch (error) {
      throw unauthorized((error as { code?: string }).code ?? 'invalid token');
    }
    const tokenUse = payload.token_use;
    const client = tokenUse === 'access' ? payload.client_id : payload.aud;
    if (tokenUse !== 'access' && tokenUse !== 'id') throw unauthorized('token_use');
    if (typeof client !== 'string' || !options.clientIds.includes(client)) throw unauthorized('client');
    const sub = String(payload.sub);
    const issuedAt = Number(payload.iat);
    if (!(await stillValid(sub, issuedAt, payload))) throw unauthorized('revoked');
    const caller: UserCaller = {
      kind: 'user',
      sub,
      username: String(payload.username ?? payload['cognito:username'] ?? sub),
      tokenUse,
      claims: payload,
    };
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey(token), { token, caller, expiresAt: Number(payload.exp) * 1000, issuedAt });
    return caller;
  }
}
