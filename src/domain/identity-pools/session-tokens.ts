/**
 * The identity pool's temporary AWS credentials. Plaza keeps no record of them: the session token
 * carries what it grants (identity, role, expiry) under an HMAC, and the secret key is derived from
 * the token with the same key, so a signed request is checked from its own headers alone — the
 * token's MAC, then the signature recomputed with the secret derived again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type RoleType = 'authenticated' | 'unauthenticated';

/** What a session token grants. */
export interface SessionGrant {
  identityId: string;
  identityPoolId: string;
  role: RoleType;
  roleArn: string;
  /** The access key id the credentials were issued with (the token belongs to it alone). */
  accessKeyId: string;
  /** When the credentials stop working (ms since the epoch). */
  expiresAt: number;
}

export interface TemporaryCredentials {
  AccessKeyId: string;
  SecretKey: string;
  SessionToken: string;
  /** Epoch seconds, as Cognito's JSON protocol sends timestamps. */
  Expiration: number;
}

export interface SessionTokens {
  issue(grant: Omit<SessionGrant, 'accessKeyId'>, accessKeyId: string): TemporaryCredentials;
  /**
   * What a token grants and the secret key its credentials sign with, if its MAC holds and it has
   * not expired at `now` (ms); else undefined.
   */
  open(sessionToken: string, now: number): { grant: SessionGrant; secretAccessKey: string } | undefined;
}

const prefix = 'PLZ1.';

/**
 * Session tokens sealed with a per-install secret (at least 32 bytes). One HMAC-SHA512 of the
 * payload gives both halves: the first is the token's MAC, the second the secret key, which the
 * token never carries.
 */
export function sessionTokens(secret: Buffer): SessionTokens {
  const key = createHmac('sha256', secret).update('plaza identity-pool session token').digest();
  const seal = (payload: string) => {
    const digest = createHmac('sha512', key).update(payload).digest();
    // 40 characters, as AWS's secret keys.
    return {
      mac: digest.subarray(0, 32),
      secretAccessKey: digest.subarray(32).toString('base64').slice(0, 40),
    };
  };
  return {
    issue(grant, accessKeyId) {
      const payload = Buffer.from(JSON.stringify({ ...grant, accessKeyId })).toString('base64url');
      const { mac, secretAccessKey } = seal(payload);
      return {
        AccessKeyId: accessKeyId,
        SecretKey: secretAccessKey,
        SessionToken: `${prefix}${payload}.${mac.toString('base64url')}`,
        Expiration: Math.floor(grant.expiresAt / 1000),
      };
    },
    open(sessionToken, now) {
      if (!sessionToken.startsWith(prefix) || sessionToken.length > 4096) return undefined;
      const [payload = '', signature = '', extra] = sessionToken.slice(prefix.length).split('.');
      if (extra !== undefined) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const { mac, secretAccessKey } = seal(payload);
      if (given.length !== mac.length || !timingSafeEqual(given, mac)) return undefined;
      const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionGrant;
      return grant.expiresAt > now ? { grant, secretAccessKey } : undefined;
    },
  };
}
