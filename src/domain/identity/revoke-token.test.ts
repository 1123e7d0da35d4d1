import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { findUserByEmail, userKeys } from './model.ts';
import { revokeToken } from './revoke-token.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

const revoke = (Token: string, ClientId = pool.services.pool.clientId) =>
  revokeToken({ ClientId, Token }, pool.services);

describe('revokeToken', () => {
  it('forgets the refresh token and no other; revoking again or a token never issued answers alike', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    const revoked = (await issueTokens(user, { withRefreshToken: true }, pool.services)).RefreshToken!;
    const kept = (await issueTokens(user, { withRefreshToken: true }, pool.services)).RefreshToken!;
    expect(await revoke(revoked)).toEqual({});
    const stored = async (token: string) =>
      (await pool.services.users.get(userKeys.refresh(token), { consistent: true })).item;
    expect(await stored(revoked)).toBeUndefined();
    expect(await stored(kept)).toBeDefined();
    expect(await revoke(revoked)).toEqual({});
    expect(await revoke('x'.repeat(64))).toEqual({});
  });

  it('refuses another client and a token too short to be one', async () => {
    pool = await testPool();
    await failsWith(revoke('x'.repeat(64), 'other'), 'InvalidParameterException');
    await failsWith(revoke('short'), 'InvalidParameterException');
  });
});
