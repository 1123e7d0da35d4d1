/**
 * The identity pool's temporary AWS credentials. Plaza keeps no record of them: the session token
 * carries what it grants (identity, role, expiry) under an HMAC, and the secret key is derived from
 * the token with another key, so a signed request is checked from its own headers alone — the
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
  /** The grant a token carries, if its MAC holds and it has not expired at `now` (ms); else undefined. */
  open(sessionToken: string, now: number): SessionGrant | undefined;
  /** The secret key the token's credentials sign with. */
  secretOf(sessionToken: string): string;
}

const prefix = 'PLZ1.';

/** Session tokens sealed with a per-install secret (at least 32 bytes). */
export function sessionTokens(secret: Buffer): SessionTokens {
  const macKey = createHmac('sha256', secret).update('plaza identity-pool session token').digest();
  const secretKey = createHmac('sha256', secret).update('plaza identity-pool secret key').digest();
  const mac = (payload: string) => createHmac('sha256', macKey).update(payload).digest();
  const secretOf = (sessionToken: string) =>
    // 40 characters, as AWS's secret keys.
    createHmac('sha256', secretKey).update(sessionToken).digest('base64').slice(0, 40);
  return {
    issue(grant, accessKeyId) {
      const payload = Buffer.from(JSON.stringify({ ...grant, accessKeyId })).toString('base64url');
      const SessionToken = `${prefix}${payload}.${mac(payload).toString('base64url')}`;
      return {
        AccessKeyId: accessKeyId,
        SecretKey: secretOf(SessionToken),
        SessionToken,
        Expiration: Math.floor(grant.expiresAt / 1000),
      };
    },
    open(sessionToken, now) {
      if (!sessionToken.startsWith(prefix) || sessionToken.length > 4096) return undefined;
      const [payload = '', signature = '', extra] = sessionToken.slice(prefix.length).split('.');
      if (extra !== undefined) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionGrant;
      return grant.expiresAt > now ? grant : undefined;
    },
    secretOf,
  };
}
