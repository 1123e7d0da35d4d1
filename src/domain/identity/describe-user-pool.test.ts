import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import {
  describeUserPool,
  describeUserPoolClient,
  listUserPoolClients,
  listUserPools,
} from './describe-user-pool.ts';
import { saveSmsMfaConfiguration } from './sms.ts';

let pool: TestPool;
afterEach(() => pool.close());

describe('describeUserPool', () => {
  it('describes the configured pool in Cognito’s terms, triggers as local Lambda ARNs', async () => {
    pool = await testPool();
    await saveSmsMfaConfiguration({ SmsAuthenticationMessage: 'Code: {####}' }, pool.services);
    const services = {
      ...pool.services,
      postConfirmation: async () => {},
      triggers: { preSignUp: async () => ({}) } as never,
    };
    const { UserPool } = await describeUserPool({ UserPoolId: 'us-west-1_TestPool1' }, services);
    expect(UserPool).toMatchObject({
      Id: 'us-west-1_TestPool1',
      Name: 'plaza',
      Arn: 'arn:aws:cognito-idp:us-west-1:000000000000:userpool/us-west-1_TestPool1',
      Policies: {
        PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 7 },
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'WEB_AUTHN'] },
      },
      LambdaConfig: {
        PreSignUp: 'arn:aws:lambda:us-west-1:000000000000:function:plaza-pre-sign-up',
        PostConfirmation: 'arn:aws:lambda:us-west-1:000000000000:function:plaza-post-confirmation',
      },
      MfaConfiguration: 'OPTIONAL',
      SmsAuthenticationMessage: 'Code: {####}',
      UsernameAttributes: ['email'],
    });
    expect(UserPool.LambdaConfig).not.toHaveProperty('PreTokenGeneration');
  });

  it('leaves passkeys out of the first factors when they are off, and refuses another pool id', async () => {
    pool = await testPool();
    const services = { ...pool.services, pool: { ...pool.services.pool, webAuthn: { enabled: false } } };
    const { UserPool } = await describeUserPool({ UserPoolId: 'us-west-1_TestPool1' }, services);
    expect(UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors).toEqual(['PASSWORD', 'EMAIL_OTP']);
    await failsWith(
      describeUserPool({ UserPoolId: 'us-west-1_Other' }, services),
      'ResourceNotFoundException',
    );
  });
});

describe('describeUserPoolClient', () => {
  it('gives token validities in the largest whole unit, and no verification attributes to write', async () => {
    pool = await testPool();
    const services = {
      ...pool.services,
      pool: {
        ...pool.services.pool,
        accessTokenSeconds: 3600,
        idTokenSeconds: 90,
        refreshTokenSeconds: 7200,
      },
    };
    const { UserPoolClient } = await describeUserPoolClient(
      { UserPoolId: 'us-west-1_TestPool1', ClientId: pool.services.pool.clientId },
      services,
    );
    expect(UserPoolClient).toMatchObject({
      ClientId: pool.services.pool.clientId,
      AccessTokenValidity: 60,
      IdTokenValidity: 90,
      RefreshTokenValidity: 2,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'seconds', RefreshToken: 'hours' },
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(UserPoolClient.WriteAttributes).toContain('email');
    expect(UserPoolClient.WriteAttributes).not.toContain('email_verified');
    expect(UserPoolClient.WriteAttributes).not.toContain('sub');
    expect(UserPoolClient).not.toHaveProperty('CallbackURLs');
    await failsWith(
      describeUserPoolClient({ UserPoolId: 'us-west-1_TestPool1', ClientId: 'other' }, services),
      'ResourceNotFoundException',
    );
  });
});

describe('listUserPools and listUserPoolClients', () => {
  it('list the one pool and its one client on a single page', async () => {
    pool = await testPool();
    expect(await listUserPools({ MaxResults: 60 }, pool.services)).toEqual({
      UserPools: [{ Id: 'us-west-1_TestPool1', Name: 'plaza', LambdaConfig: {} }],
    });
    expect(
      await listUserPoolClients({ UserPoolId: 'us-west-1_TestPool1', MaxResults: 1 }, pool.services),
    ).toEqual({
      UserPoolClients: [
        { ClientId: pool.services.pool.clientId, UserPoolId: 'us-west-1_TestPool1', ClientName: 'plaza-app' },
      ],
    });
    for (const page of [{ MaxResults: 0 }, { MaxResults: 61 }, { MaxResults: 10, NextToken: 'more' }])
      await failsWith(listUserPools(page, pool.services), 'InvalidParameterException');
    await failsWith(
      listUserPoolClients({ UserPoolId: 'us-west-1_Other' }, pool.services),
      'ResourceNotFoundException',
    );
  });
});
