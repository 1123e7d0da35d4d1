import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamlIdp } from '../../../test/support/saml-idp.ts';
import type { SamlProviderSettings } from '../../platform/saml-provider-settings.ts';
import {
  parseIdpMetadata,
  samlIdentityProvider,
  samlServiceProviderMetadata,
} from './saml-identity-provider.ts';

const idp = new SamlIdp();
const dir = mkdtempSync(join(tmpdir(), 'plaza-saml-adapter-'));
const sp = {
  entityId: 'urn:amazon:cognito:sp:us-west-1_Adapter1',
  acsUrl: 'https://pool.example/saml2/idpresponse',
};
const settings = (overrides: Partial<SamlProviderSettings>): SamlProviderSettings => ({
  name: 'Corp',
  metadataUrl: undefined,
  metadataFile: undefined,
  attributeMapping: {},
  idpInitiated: false,
  clockSkewMs: 0,
  ...overrides,
});

beforeAll(() => idp.start());
afterAll(async () => {
  await idp.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('parseIdpMetadata', () => {
  it('reads the entity ID, the HTTP-Redirect SSO URL and the signing certificates', () => {
    const metadata = parseIdpMetadata(idp.metadata());
    expect(metadata).toMatchObject({ entityId: idp.entityId, ssoUrl: `${idp.url}/sso` });
    expect(metadata.certificates).toHaveLength(1);
    expect(idp.key.certificate.replace(/\s/g, '')).toContain(metadata.certificates[0]);
  });

  it('refuses metadata without a redirect SSO service or a signing certificate, and non-XML', () => {
    const postOnly = idp
      .metadata()
      .replace(/<md:SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*\/>/, '');
    expect(() => parseIdpMetadata(postOnly)).toThrow(/HTTP-Redirect/);
    const encryptionOnly = idp.metadata().replace('use="signing"', 'use="encryption"');
    expect(() => parseIdpMetadata(encryptionOnly)).toThrow(/signing certificate/);
    expect(() => parseIdpMetadata('<not-closed')).toThrow();
    expect(() => parseIdpMetadata('<a xmlns="urn:x"/>')).toThrow(/EntityDescriptor/);
  });
});

describe('samlIdentityProvider', () => {
  it('verifies a signed assertion: NameID, attributes (several values joined), ID and window', async () => {
    const file = join(dir, 'idp.xml');
    writeFileSync(file, idp.metadata());
    const provider = samlIdentityProvider(settings({ metadataFile: file }));
    const { url, requestId } = await provider.authnRequest(sp, 'relay');
    expect(idp.readRequest(new URL(url))).toMatchObject({
      id: requestId,
      relayState: 'relay',
      issuer: sp.entityId,
    });
    const notOnOrAfter = new Date(Date.now() + 60_000);
    const identity = await provider.verify(
      sp,
      idp.response({
        nameId: 'alice',
        attributes: { groups: ['staff', 'admins'], mail: 'alice@corp.example' },
        acsUrl: sp.acsUrl,
        audience: sp.entityId,
        inResponseTo: requestId,
        notOnOrAfter,
      }),
      requestId,
    );
    expect(identity).toMatchObject({
      issuer: idp.entityId,
      subject: 'alice',
      claims: { groups: 'staff,admins', mail: 'alice@corp.example' },
      notOnOrAfter: notOnOrAfter.getTime(),
    });
    expect(identity.assertionId).toMatch(/^_/);
    // Another request's answer, and a Response whose issuer is not the metadata's entity.
    const answer = (options: { inResponseTo?: string; issuer?: string }) =>
      idp.response({
        nameId: 'alice',
        acsUrl: sp.acsUrl,
        audience: sp.entityId,
        inResponseTo: requestId,
        ...options,
      });
    await expect(provider.verify(sp, answer({ inResponseTo: '_another' }), requestId)).rejects.toThrow(
      /InResponseTo/,
    );
    await expect(provider.verify(sp, answer({ issuer: 'https://evil.example' }), requestId)).rejects.toThrow(
      /another issuer/,
    );
    // A failed status outside the signed assertion still fails the sign-in.
    const failed = idp.response({
      nameId: 'alice',
      acsUrl: sp.acsUrl,
      audience: sp.entityId,
      inResponseTo: requestId,
      afterSigning: (xml) => xml.replace('status:Success', 'status:Responder'),
    });
    await expect(provider.verify(sp, failed, requestId)).rejects.toThrow(/status/);
    await expect(provider.verify(sp, answer({}), requestId)).resolves.toHaveProperty('subject', 'alice');
  });

  it('tries a metadata URL that failed again on the next sign-in', async () => {
    let fail = true;
    const original = idp.metadata.bind(idp);
    idp.metadata = () => (fail ? 'not metadata' : original());
    try {
      const provider = samlIdentityProvider(settings({ metadataUrl: `${idp.url}/metadata` }));
      await expect(provider.authnRequest(sp, 'relay')).rejects.toThrow(/Corp: not XML/);
      fail = false;
      await expect(provider.authnRequest(sp, 'relay')).resolves.toHaveProperty('requestId');
    } finally {
      idp.metadata = original;
    }
  });

  it('describes the pool as an SP that wants signed assertions at its ACS', () => {
    const xml = samlServiceProviderMetadata(sp);
    expect(xml).toContain(`entityID="${sp.entityId}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toContain(`Location="${sp.acsUrl}"`);
  });
});
