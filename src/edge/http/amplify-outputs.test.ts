import { parseAmplifyConfig } from '@aws-amplify/core/internals/utils';
import { describe, expect, it } from 'vitest';
import { amplifyOutputs, type AmplifyOutputsInput } from './amplify-outputs.ts';

const input: AmplifyOutputsInput = {
  region: 'us-west-1',
  pool: {
    userPoolId: 'us-west-1_abc',
    clientId: 'client',
    passwordMinLength: 10,
    mfa: 'ON',
    oauth: {
      domain: 'plaza.auth.us-west-1.amazoncognito.com',
      scopes: ['openid', 'email'],
      callbackUrls: ['https://app.example.com/'],
      logoutUrls: ['https://app.example.com/bye'],
      providers: ['Google', 'Facebook', 'SignInWithApple', 'Corporate', 'Okta'],
    },
  },
  identityPool: undefined,
  data: { url: 'https://api.example.com/graphql', apiKey: undefined },
  bucketName: 'media',
};

describe('amplifyOutputs', () => {
  it('writes auth.oauth with Amplify names for the social providers and Cognito names for the rest', () => {
    const outputs = amplifyOutputs(input);
    expect(outputs.auth?.oauth).toEqual({
      domain: 'plaza.auth.us-west-1.amazoncognito.com',
      scopes: ['openid', 'email'],
      redirect_sign_in_uri: ['https://app.example.com/'],
      redirect_sign_out_uri: ['https://app.example.com/bye'],
      response_type: 'code',
      identity_providers: ['GOOGLE', 'FACEBOOK', 'SIGN_IN_WITH_APPLE', 'Corporate', 'Okta'],
    });
    expect(outputs.auth).toMatchObject({
      mfa_configuration: 'REQUIRED',
      password_policy: { min_length: 10 },
    });
    expect(outputs.auth?.user_pool_endpoint).toBeUndefined();
    expect(outputs.data.authorization_types).toEqual(['API_KEY']);
  });

  it('is read by Amplify as its OAuth configuration', () => {
    const config = parseAmplifyConfig(amplifyOutputs(input));
    expect(config.Auth?.Cognito.loginWith?.oauth).toEqual({
      domain: 'plaza.auth.us-west-1.amazoncognito.com',
      scopes: ['openid', 'email'],
      redirectSignIn: ['https://app.example.com/'],
      redirectSignOut: ['https://app.example.com/bye'],
      responseType: 'code',
      // Amplify keeps the social providers it knows; the others are for the app to offer.
      providers: ['Google', 'Facebook', 'Apple'],
    });
  });

  it('leaves oauth out without a hosted UI, and names the identity pool and local endpoints when given', () => {
    const outputs = amplifyOutputs({
      ...input,
      pool: { ...input.pool!, oauth: undefined, endpoint: 'http://127.0.0.1:4000/' },
      identityPool: { id: 'us-west-1:pool', allowGuests: true },
      s3Endpoint: 'http://127.0.0.1:4000/s3',
    });
    expect(outputs.auth).not.toHaveProperty('oauth');
    expect(outputs.auth).toMatchObject({
      user_pool_endpoint: 'http://127.0.0.1:4000/',
      identity_pool_id: 'us-west-1:pool',
      unauthenticated_identities_enabled: true,
    });
    expect(outputs.data.authorization_types).toEqual(['API_KEY', 'AWS_IAM']);
    expect(outputs.custom).toEqual({ s3_endpoint: 'http://127.0.0.1:4000/s3' });
  });
});
