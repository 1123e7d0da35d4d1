/**
 * A small SAML 2.0 identity provider on a loopback port for the federation tests: metadata at
 * /metadata, single sign-on at /sso (HTTP-Redirect AuthnRequest in, an auto-posting form with
 * the Response out), Responses and assertions signed with xml-crypto (the library node-saml
 * verifies with) by a key and self-signed certificate made with the openssl CLI.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import {
  samlIdentityProvider,
  samlServiceProviderMetadata,
} from '../../src/adapters/saml/saml-identity-provider.ts';
import type { SamlFederation } from '../../src/ports/saml-federation.ts';

export interface SigningKey {
  privateKey: string;
  certificate: string;
}

/** An RSA key and a self-signed certificate for it, from the openssl CLI. */
export function makeSigningKey(commonName: string): SigningKey {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-saml-key-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
      ].concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    return {
      privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'),
      certificate: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a Response says; every field can be set wrong on purpose. */
export interface ResponseOptions {
  nameId: string;
  attributes?: Record<string, string | string[]>;
  acsUrl: string;
  audience: string;
  inResponseTo?: string | undefined;
  /** The Response's Destination and the confirmation's Recipient; the ACS URL by default. */
  destination?: string;
  recipient?: string;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  signAssertion?: boolean;
  signResponse?: boolean;
  /** Another signer, for a Response the configured certificate does not vouch for. */
  key?: SigningKey;
  /** Applied to the signed XML, as a tampering browser would. */
  afterSigning?: (xml: string) => string;
}

export interface AuthnRequestSeen {
  id: string;
  acsUrl: string;
  issuer: string;
  relayState: string;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const newId = () => `_${randomBytes(16).toString('hex')}`;

function sign(xml: string, key: SigningKey, elementName: 'Assertion' | 'Response'): string {
  const signer = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const element = `//*[local-name(.)='${elementName}']`;
  signer.addReference({
    xpath: element,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  // The signature goes right after the element's Issuer, where the SAML schema puts it.
  signer.computeSignature(xml, {
    location: { reference: `${element}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

export class SamlIdp {
  readonly key = makeSigningKey('Plaza test IdP');
  url = '';
  entityId = '';
  /** The user who signs in at /sso, and anything the next answers should get wrong. */
  user = 'alice';
  alter: Partial<ResponseOptions> = {};
  readonly requests: AuthnRequestSeen[] = [];
  private server: Server | undefined;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', this.url);
      if (url.pathname === '/metadata') {
        response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(this.metadata());
        return;
      }
      if (url.pathname === '/sso') {
        const seen = this.readRequest(url);
        response.writeHead(200, { 'content-type': 'text/html' }).end(this.postForm(seen));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.entityId = `${this.url}/idp`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The pool's SAML side with providers reading this IdP's metadata URL (the domain's tests). */
  federation(acsUrl: string, providers: { name: string; idpInitiated: boolean }[]): SamlFederation {
    return {
      providers: new Map(
        providers.map(({ name, idpInitiated }) => [
          name,
          samlIdentityProvider({
            name,
            metadataUrl: `${this.url}/metadata`,
            metadataFile: undefined,
            attributeMapping: { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' },
            idpInitiated,
            clockSkewMs: 30_000,
          }),
        ]),
      ),
      acsUrl: () => acsUrl,
      serviceProviderMetadata: samlServiceProviderMetadata,
    };
  }

  metadata(): string {
    const certificate = this.key.certificate.replace(/-----[^-]+-----|\s/g, '');
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escape(this.entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escape(this.url)}/sso-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escape(this.url)}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** The AuthnRequest of an HTTP-Redirect binding URL (deflated, base64). */
  readRequest(url: URL): AuthnRequestSeen {
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString();
    const seen = {
      id: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '',
      acsUrl: /AssertionConsumerServiceURL="([^"]+)"/.exec(xml)?.[1] ?? '',
      issuer: /<saml:Issuer[^>]*>([^<]+)</.exec(xml)?.[1] ?? '',
      relayState: url.searchParams.get('RelayState') ?? '',
    };
    this.requests.push(seen);
    return seen;
  }

  /** The page a real IdP answers: a form posting the Response and RelayState to the ACS. */
  postForm(seen: AuthnRequestSeen): string {
    const samlResponse = this.response({
      nameId: this.user,
      attributes: {
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': `${this.user}@corp.example`,
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': this.user.toUpperCase(),
        groups: ['staff', 'admins'],
      },
      acsUrl: seen.acsUrl,
      audience: seen.issuer,
      inResponseTo: seen.id,
      ...this.alter,
    });
    return `<html><body onload="document.forms[0].submit()"><form method="post" action="${escape(seen.acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${samlResponse}">
<input type="hidden" name="RelayState" value="${escape(seen.relayState)}">
</form></body></html>`;
  }

  /** A Response, base64 as it is posted. */
  response(options: ResponseOptions): string {
    const now = new Date();
    const notBefore = (options.notBefore ?? new Date(now.getTime() - 60_000)).toISOString();
    const notOnOrAfter = (options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
    const issuer = escape(options.issuer ?? this.entityId);
    const inResponseTo =
      options.inResponseTo === undefined ? '' : ` InResponseTo="${escape(options.inResponseTo)}"`;
    const attributes = Object.entries(options.attributes ?? {})
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${escape(name)}">${[values]
            .flat()
            .map((value) => `<saml:AttributeValue>${escape(value)}</saml:AttributeValue>`)
            .join('')}</saml:Attribute>`,
      )
      .join('');
    const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${now.toISOString()}"><saml:Issuer>${issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escape(options.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(options.recipient ?? options.acsUrl)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${escape(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attributes}</saml:AttributeStatement></saml:Assertion>`;
    let xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${escape(options.destination ?? options.acsUrl)}"${inResponseTo}><saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
    const key = options.key ?? this.key;
    if (options.signAssertion ?? true) xml = sign(xml, key, 'Assertion');
    if (options.signResponse) xml = sign(xml, key, 'Response');
    return Buffer.from(options.afterSigning ? options.afterSigning(xml) : xml).toString('base64');
  }
}
