import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminInitiateAuth, adminRespondToAuthChallenge } from './admin-auth.ts';

let pool: TestPool;
afterEach(() => pool.close());

const passwordAuth = (AuthFlow: string, PASSWORD: string, ClientId = pool.services.pool.clientId) =>
  adminInitiateAuth(
    { AuthFlow, ClientId, AuthParameters: { USERNAME: 'ada@example.com', PASSWORD } },
    pool.services,
  );

describe('adminInitiateAuth and adminRespondToAuthChallenge', () => {
  it("sign in with a password through the app's flow, then answer its challenge", async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    const challenge = await passwordAuth('ADMIN_USER_PASSWORD_AUTH', 'Temporary-pass-1');
    expect(challenge).toMatchObject({ ChallengeName: 'NEW_PASSWORD_REQUIRED' });
    const signedIn = await adminRespondToAuthChallenge(
      {
        ClientId: pool.services.pool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: (challenge as { Session: string }).Session,
        ChallengeResponses: { USERNAME: 'ada@example.com', NEW_PASSWORD: 'Correct-horse-2' },
      },
      pool.services,
    );
    const { AccessToken } = (signedIn as { AuthenticationResult: { AccessToken: string } })
      .AuthenticationResult;
    expect((await pool.verifier.verify(AccessToken)).sub).toBe(sub);
    // ADMIN_NO_SRP_AUTH is the older name of the same flow.
    const again = await passwordAuth('ADMIN_NO_SRP_AUTH', 'Correct-horse-2');
    expect(again).toMatchObject({ AuthenticationResult: { TokenType: 'Bearer' } });
    await failsWith(passwordAuth('ADMIN_USER_PASSWORD_AUTH', 'wrong password'), 'NotAuthorizedException');
  });

  it("refuses the app's own USER_PASSWORD_AUTH, unknown flows and unknown clients", async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    for (const flow of ['USER_PASSWORD_AUTH', 'CUSTOM_AUTH', 'constructor', ''])
      await failsWith(passwordAuth(flow, 'Temporary-pass-1'), 'InvalidParameterException');
    await failsWith(
      passwordAuth('ADMIN_USER_PASSWORD_AUTH', 'Temporary-pass-1', 'someone-else'),
      'ResourceNotFoundException',
    );
  });
});
