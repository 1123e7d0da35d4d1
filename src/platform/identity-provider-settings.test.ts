import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { identityProviderSchema, identityProvidersOf } from './identity-provider-settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-idp-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
writeFileSync(join(dir, 'AuthKey.p8'), p256);

const parse = (providers: unknown[]) => z.array(identityProviderSchema).parse(providers);
const issues = (provider: unknown) => {
  const result = z.array(identityProviderSchema).safeParse([provider]);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('identity provider settings', () => {
  it('reads a provider without a type as OpenID Connect, with its defaults', () => {
    const [oidc] = identityProvidersOf(
      parse([{ name: 'Google', issuer: 'https://accounts.google.com', clientId: 'c' }]),
      {},
      dir,
    );
    expect(oidc).toEqual({
      type: 'oidc',
      name: 'Google',
      issuer: 'https://accounts.google.com',
      clientId: 'c',
      clientSecret: undefined,
      scopes: ['openid', 'email'],
      attributeMapping: { email: 'email' },
    });
  });

  it("gives Facebook and Apple Cognito's names, Facebook's and Apple's endpoints, and their secrets", () => {
    const [facebook, apple] = identityProvidersOf(
      parse([
        { type: 'facebook', clientId: '42', clientSecretEnv: 'FB_SECRET' },
        {
          type: 'apple',
          clientId: 'com.example',
          teamId: 'ABCDE12345',
          keyId: 'KEY0000001',
          privateKeyFile: 'AuthKey.p8',
        },
      ]),
      { FB_SECRET: 'shh' },
      dir,
    );
    expect(facebook).toMatchObject({
      name: 'Facebook',
      clientSecret: 'shh',
      scopes: ['public_profile', 'email'],
      attributeMapping: { email: 'email', name: 'name' },
      authorizationEndpoint: 'https://www.facebook.com/v19.0/dialog/oauth',
      graphUrl: 'https://graph.facebook.com/v19.0',
    });
    expect(apple).toMatchObject({
      name: 'SignInWithApple',
      issuer: 'https://appleid.apple.com',
      privateKey: p256.trim(),
      scopes: ['name', 'email'],
    });
  });

  it('names the field of each mistake', () => {
    expect(issues({ type: 'facebook', name: 'FB', clientId: '42', clientSecret: 's' })).toEqual([
      '0.name: Facebook (Cognito’s fixed name for this provider)',
    ]);
    expect(issues({ type: 'twitter', name: 'X' })).toHaveLength(1);
    expect(issues({ type: 'apple', clientId: 'c', teamId: 'ABCDE12345', keyId: 'KEY0000001' })).toEqual([
      '0: exactly one of privateKeyFile and privateKeyEnv (the team’s .p8 key)',
    ]);
    expect(issues({ name: 'Google', clientId: 'c' })[0]).toMatch(/^0\.issuer:/);
    expect(() =>
      identityProvidersOf(
        parse([
          { name: 'Google', issuer: 'https://accounts.google.com', clientId: 'c' },
          { name: 'google', issuer: 'https://accounts.google.com', clientId: 'd' },
        ]),
        {},
        dir,
      ),
    ).toThrow('userPool.identityProviders.1.name: google is used twice');
  });

  it('refuses an Apple key that is not a P-256 private key, without quoting it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const apple = {
      type: 'apple',
      clientId: 'c',
      teamId: 'ABCDE12345',
      keyId: 'KEY0000001',
      privateKeyEnv: 'KEY',
    };
    const load = (key: string) => () => identityProvidersOf(parse([apple]), { KEY: key }, dir);
    expect(load(rsa)).toThrow(
      'userPool.identityProviders.0.privateKey: the private key is not an ES256 (P-256) key',
    );
    expect(load('garbage-key-text')).toThrow(/not a PEM \(PKCS #8\) key$/);
    expect(load('garbage-key-text')).not.toThrow(/garbage/);
  });
});
