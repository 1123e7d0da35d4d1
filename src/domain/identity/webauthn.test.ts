import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test/support/fails-with.ts';
import { allowedOrigin, isRelyingPartyId, webAuthnLibrary } from './webauthn.ts';

const rp = { id: 'example.com', userVerification: 'preferred' as const };
const clientData = (data: object) => Buffer.from(JSON.stringify(data)).toString('base64url');

describe('passkeys: the relying party and its origins', () => {
  it('takes a domain name as a relying party id, never an address', () => {
    expect(isRelyingPartyId('example.com')).toBe(true);
    expect(isRelyingPartyId('localhost')).toBe(true);
    expect(isRelyingPartyId('127.0.0.1')).toBe(false);
    expect(isRelyingPartyId('::1')).toBe(false);
    expect(isRelyingPartyId('-bad.example.com')).toBe(false);
    expect(isRelyingPartyId(`${'a'.repeat(124)}.com`)).toBe(false);
  });

  it("accepts the relying party's host and its subdomains over https, and localhost over http", () => {
    expect(allowedOrigin(clientData({ origin: 'https://example.com' }), rp)).toBe('https://example.com');
    expect(allowedOrigin(clientData({ origin: 'https://app.example.com' }), rp)).toBe(
      'https://app.example.com',
    );
    const local = { ...rp, id: 'localhost' };
    expect(allowedOrigin(clientData({ origin: 'http://localhost:3000' }), local)).toBe(
      'http://localhost:3000',
    );
  });

  it('refuses another host, plain http, a look-alike and an unreadable clientDataJSON', () => {
    for (const origin of ['https://example.org', 'http://example.com', 'https://notexample.com'])
      expect(
        thrownMessage(() => allowedOrigin(clientData({ origin }), rp), 'WebAuthnOriginNotAllowedException'),
      ).toContain(origin);
    expect(thrownMessage(() => allowedOrigin('not base64 json', rp), 'InvalidParameterException')).toBe(
      'The credential has no readable clientDataJSON.',
    );
  });

  it('loads the ceremonies when first asked', async () => {
    const library = await webAuthnLibrary();
    expect(typeof library.generateRegistrationOptions).toBe('function');
    expect(typeof library.verifyAuthenticationResponse).toBe('function');
  });
});
