import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { samlProviderSchema, samlProvidersOf } from './saml-provider-settings.ts';

const parse = (providers: unknown[]) => z.array(samlProviderSchema).parse(providers);
const refused = (provider: unknown) => !z.array(samlProviderSchema).safeParse([provider]).success;

describe('SAML provider settings', () => {
  it("gives Cognito's defaults: email from the usual claim, IdP-initiated off, 30 s of skew", () => {
    const [byUrl, byFile] = samlProvidersOf(
      parse([
        { name: 'Corp', metadataUrl: 'https://idp.example.com/metadata' },
        { name: 'Lab', metadataFile: 'idp.xml', idpInitiated: true, clockSkewSeconds: 0 },
      ]),
      [],
      '/srv/plaza',
    );
    expect(byUrl).toEqual({
      name: 'Corp',
      metadataUrl: 'https://idp.example.com/metadata',
      metadataFile: undefined,
      attributeMapping: { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' },
      idpInitiated: false,
      clockSkewMs: 30_000,
    });
    expect(byFile).toMatchObject({ metadataFile: '/srv/plaza/idp.xml', idpInitiated: true, clockSkewMs: 0 });
  });

  it('needs exactly one metadata source, a usable name and a bounded skew', () => {
    expect(refused({ name: 'Corp' })).toBe(true);
    expect(refused({ name: 'Corp', metadataUrl: 'https://idp.example/m', metadataFile: 'idp.xml' })).toBe(
      true,
    );
    expect(refused({ name: 'Corp Inc', metadataFile: 'idp.xml' })).toBe(true);
    expect(refused({ name: 'Corp', metadataFile: 'idp.xml', clockSkewSeconds: 3600 })).toBe(true);
    expect(refused({ name: 'Corp', metadataFile: 'idp.xml', signRequests: true })).toBe(true);
  });

  it('refuses a name another provider has', () => {
    expect(() =>
      samlProvidersOf(parse([{ name: 'Google', metadataFile: 'a.xml' }]), ['Google'], '/'),
    ).toThrow(/Google is named twice/);
    expect(() =>
      samlProvidersOf(
        parse([
          { name: 'Corp', metadataFile: 'a.xml' },
          { name: 'Corp', metadataFile: 'b.xml' },
        ]),
        [],
        '/',
      ),
    ).toThrow(/Corp is named twice/);
  });
});
