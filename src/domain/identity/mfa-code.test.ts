import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminListUserAuthEvents } from './admin-list-user-auth-events.ts';
import { claimTotpCode } from './mfa-code.ts';
import { toUserRecord, userKeys, type UserRecord } from './model.ts';
import { base32Decode, totpAt, totpStep } from './totp.ts';

let pool: TestPool;
afterEach(() => pool.close());

const secret = 'JBSWY3DPEHPK3PXP';
const codeAt = (ms: number) => totpAt(base32Decode(secret), totpStep(ms));

async function reread(sub: string): Promise<UserRecord> {
  return toUserRecord((await pool.services.users.get(userKeys.user(sub), { consistent: true })).item!);
}

async function userWithTotp(): Promise<UserRecord> {
  const sub = await pool.user('ada@example.com');
  await pool.services.users.update({
    key: userKeys.user(sub),
    set: { totpSecret: secret, mfaEnabled: true },
  });
  return reread(sub);
}

describe('claimTotpCode', () => {
  it("takes this step's code or a neighbour's, each step once", async () => {
    pool = await testPool();
    let user = await userWithTotp();
    const now = pool.clock.now();
    await claimTotpCode(user, codeAt(now), pool.services);
    user = await reread(user.sub);
    expect(user.totpLastStep).toBe(totpStep(now));
    // The same code again is a replay, even from a copy of the user read before the claim.
    await failsWith(claimTotpCode(user, codeAt(now), pool.services), 'CodeMismatchException');
    await claimTotpCode(user, codeAt(now + 30_000), pool.services);
    expect((await reread(user.sub)).totpLastStep).toBe(totpStep(now) + 1);
  });

  it('lets only one of two requests with the same code win', async () => {
    pool = await testPool();
    const user = await userWithTotp();
    const code = codeAt(pool.clock.now());
    const outcomes = await Promise.allSettled([
      claimTotpCode(user, code, pool.services),
      claimTotpCode(user, code, pool.services),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses a wrong or stale code, or a user without a secret, and counts it towards the lockout', async () => {
    pool = await testPool();
    const user = await userWithTotp();
    const stale = codeAt(pool.clock.now() - 5 * 60_000);
    for (const code of ['000000', 'abcdef', '12345', stale])
      await failsWith(claimTotpCode(user, code, pool.services), 'CodeMismatchException');
    expect((await reread(user.sub)).failedSignIns).toBe(4);
    const { AuthEvents } = await adminListUserAuthEvents({ Username: user.sub }, pool.services);
    expect(AuthEvents).toHaveLength(4);
    expect(AuthEvents[0]).toMatchObject({ EventType: 'SignIn', EventResponse: 'Fail' });

    const lin = await reread(await pool.user('lin@example.com'));
    await failsWith(claimTotpCode(lin, codeAt(pool.clock.now()), pool.services), 'CodeMismatchException');
  });
});
