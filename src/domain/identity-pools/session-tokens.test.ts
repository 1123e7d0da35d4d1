import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sessionTokens, type SessionGrant } from './session-tokens.ts';

const now = Date.UTC(2026, 11, 7, 8);
const grant: Omit<SessionGrant, 'accessKeyId'> = {
  identityId: 'us-west-1:0f6c1d2e-0000-4000-a000-000000000001',
  identityPoolId: 'us-west-1:0f6c1d2e-0000-4000-a000-0000000000aa',
  role: 'authenticated',
  roleArn: 'arn:aws:iam::000000000000:role/plaza-identity-authenticated',
  expiresAt: now + 3600_000,
};
const accessKeyId = 'ASIAPLAZA0000000TEST';

describe('sessionTokens', () => {
  const tokens = sessionTokens(randomBytes(32));

  it('issues credentials whose token opens to what it grants and the secret key they sign with', () => {
    const credentials = tokens.issue(grant, accessKeyId);
    expect(credentials).toMatchObject({ AccessKeyId: accessKeyId, Expiration: (now + 3600_000) / 1000 });
    expect(credentials.SecretKey).toHaveLength(40);
    expect(credentials.SessionToken.startsWith('PLZ1.')).toBe(true);
    // The token never carries the secret key.
    expect(Buffer.from(credentials.SessionToken.split('.')[1]!, 'base64url').toString()).not.toContain(
      credentials.SecretKey,
    );
    expect(tokens.open(credentials.SessionToken, now)).toEqual({
      grant: { ...grant, accessKeyId },
      secretAccessKey: credentials.SecretKey,
    });
  });

  it('gives each grant its own secret key', () => {
    const first = tokens.issue(grant, accessKeyId);
    const second = tokens.issue({ ...grant, identityId: grant.identityId.replace(/1$/, '2') }, accessKeyId);
    expect(second.SecretKey).not.toBe(first.SecretKey);
  });

  it('opens nothing expired, altered, sealed by another install or not its own', () => {
    const { SessionToken } = tokens.issue(grant, accessKeyId);
    expect(tokens.open(SessionToken, grant.expiresAt)).toBeUndefined();
    expect(tokens.open(SessionToken, grant.expiresAt - 1)).toBeDefined();
    const [, payload, mac] = SessionToken.split('.');
    // The same MAC on a payload granting the guest role instead.
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        role: 'unauthenticated',
      }),
    ).toString('base64url');
    for (const token of [
      `PLZ1.${forged}.${mac}`,
      `PLZ1.${payload}.${Buffer.alloc(32).toString('base64url')}`,
      `PLZ1.${payload}.${mac}.extra`,
      `PLZ1.${payload}`,
      `XYZ1.${payload}.${mac}`,
      `PLZ1.${'a'.repeat(5000)}.${mac}`,
      '',
    ])
      expect(tokens.open(token, now)).toBeUndefined();
    expect(sessionTokens(randomBytes(32)).open(SessionToken, now)).toBeUndefined();
  });
});
