import { describe, expect, it } from 'vitest';
import type { Ids } from '../../ports/ids.ts';
import { newPoolIdentity } from './pool-identity.ts';

/** Ids whose secrets are the given bytes over and over. */
function idsOf(bytes: number[]): Ids {
  return {
    ulid: () => '01J00000000000000000000000',
    uuid: () => '00000000-0000-4000-8000-000000000000',
    secret: (length) =>
      Buffer.from(Array.from({ length }, (_, i) => bytes[i % bytes.length] as number)).toString('base64url'),
  };
}

describe('newPoolIdentity', () => {
  it("has Cognito's forms: <region>_ and 9 letters or digits, and a 26-character client id", () => {
    const { userPoolId, clientId } = newPoolIdentity('eu-west-2', idsOf([0, 1, 25, 26, 61, 62, 200, 255]));
    expect(userPoolId).toMatch(/^eu-west-2_[A-Za-z0-9]{9}$/);
    expect(clientId).toMatch(/^[a-z0-9]{26}$/);
    // Each byte picks a character, modulo the alphabet's length (62, then 36).
    expect(userPoolId).toBe('eu-west-2_ABZa9AOHA');
    expect(clientId).toBe(`${'abz0z0ud'.repeat(3)}ab`);
  });

  it('differs with the secrets it is made from', () => {
    const first = newPoolIdentity('us-east-1', idsOf([1, 2, 3]));
    const second = newPoolIdentity('us-east-1', idsOf([4, 5, 6]));
    expect(first.userPoolId).not.toBe(second.userPoolId);
    expect(first.clientId).not.toBe(second.clientId);
  });
});
