/**
 * Federation to a SAML 2.0 identity provider with @node-saml/node-saml: the provider's metadata
 * (by URL or from a file), AuthnRequests on the HTTP-Redirect binding, and Responses on the
 * HTTP-POST binding whose assertion must be signed by one of the provider's certificates.
 * node-saml checks the signatures, audience, InResponseTo and the Conditions' window; the
 * assertion's issuer, the bearer confirmation (Recipient, NotOnOrAfter) and the Response's
 * status and Destination are checked here on the verified assertion, since node-saml leaves them to the
 * service provider.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  SAML,
  ValidateInResponseTo,
  generateServiceProviderMetadata,
  type CacheProvider,
} from '@node-saml/node-saml';
import type { SamlProviderSettings } from '../../platform/saml-provider-settings.ts';
import type { SamlIdentityProvider, SamlServiceProvider } from '../../ports/saml-federation.ts';

const metadataNs = 'urn:oasis:names:tc:SAML:2.0:metadata';
const assertionNs = 'urn:oasis:names:tc:SAML:2.0:assertion';
const protocolNs = 'urn:oasis:names:tc:SAML:2.0:protocol';
const signatureNs = 'http://www.w3.org/2000/09/xmldsig#';
const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const bearer = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const timeoutMs = 10_000;
const metadataBytes = 512 * 1024;
const metadataRefreshMs = 60 * 60 * 1000;
/** How long an AuthnRequest may wait for its answer (the hosted UI's federation state lives as long). */
const requestLifetimeMs = 10 * 60 * 1000;

/** The little of the DOM read here (xmldom's own typings would pull the DOM library into every file). */
interface XmlElement {
  localName: string;
  namespaceURI: string | null;
  textContent: string | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlElement>;
}
type MessageSink = (message: unknown) => void;
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (options: { errorHandler: { error: MessageSink; fatalError: MessageSink } }) => {
    parseFromString(text: string, type: string): { documentElement: XmlElement | null };
  };
};

interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** The signing certificates, base64 DER: an assertion signed by any of them is accepted. */
  certificates: string[];
}

function parseXml(text: string): XmlElement {
  const errors: string[] = [];
  const sink = (message: unknown) => errors.push(String(message));
  const root = new DOMParser({ errorHandler: { error: sink, fatalError: sink } }).parseFromString(
    text,
    'text/xml',
  ).documentElement;
  if (errors.length > 0 || !root) throw new Error(`not XML: ${errors[0] ?? 'empty'}`);
  return root;
}

function children(parent: XmlElement, ns: string, name: string): XmlElement[] {
  return Array.from(parent.getElementsByTagNameNS(ns, name));
}

/** The entity's ID, its HTTP-Redirect single sign-on URL and its signing certificates. */
export function parseIdpMetadata(text: string): IdpMetadata {
  const entity = parseXml(text);
  if (entity.localName !== 'EntityDescriptor' || entity.namespaceURI !== metadataNs)
    throw new Error('metadata is not an EntityDescriptor');
  const entityId = entity.getAttribute('entityID') ?? '';
  const [descriptor] = children(entity, metadataNs, 'IDPSSODescriptor');
  if (!entityId || !descriptor) throw new Error('metadata has no entityID or IDPSSODescriptor');
  const sso = children(descriptor, metadataNs, 'SingleSignOnService').find(
    (service) => service.getAttribute('Binding') === redirectBinding,
  );
  const ssoUrl = sso?.getAttribute('Location') ?? '';
  if (!/^https?:\/\//.test(ssoUrl)) throw new Error('metadata has no HTTP-Redirect SingleSignOnService');
  const certificates = children(descriptor, metadataNs, 'KeyDescriptor')
    .filter((key) => (key.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((key) => children(key, signatureNs, 'X509Certificate'))
    .map((certificate) => (certificate.textContent ?? '').replace(/\s+/g, ''))
    .filter((certificate) => certificate.length > 0);
  if (certificates.length === 0) throw new Error('metadata has no signing certificate');
  return { entityId, ssoUrl, certificates };
}

async function fetchMetadata(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!response.ok) throw new Error(`metadata URL answered ${response.status}`);
  const text = await response.text();
  if (Buffer.byteLength(text) > metadataBytes) throw new Error('metadata is too large');
  return text;
}

/**
 * node-saml's request cache, for one sign-in: the only InResponseTo accepted is the request ID
 * stored with the hosted UI's state, which is used up there (so this works across instances).
 */
function oneRequestCache(requestId: string | undefined, issuedAt: string): CacheProvider {
  return {
    saveAsync: async (_key, value) => ({ value, createdAt: Date.now() }),
    getAsync: async (key) => (requestId !== undefined && key === requestId ? issuedAt : null),
    removeAsync: async (key) => key,
  };
}

/** The time (ms) in an xs:dateTime attribute, or NaN. */
function instant(element: XmlElement | undefined, name: string): number {
  const value = element?.getAttribute(name);
  return value ? Date.parse(value) : Number.NaN;
}

/**
 * What node-saml leaves to the service provider, on the verified assertion: a bearer confirmation
 * for this ACS (Recipient) still in its window; and on the Response, success and its Destination
 * if it names one.
 */
function confirmation(
  assertionXml: string,
  responseXml: string,
  sp: SamlServiceProvider,
  skewMs: number,
  now: number,
): { assertionId: string; notOnOrAfter: number } {
  const assertion = parseXml(assertionXml);
  const response = parseXml(responseXml);
  if (response.namespaceURI === protocolNs && response.hasAttribute('Destination')) {
    if (response.getAttribute('Destination') !== sp.acsUrl) throw new Error('wrong Destination');
  }
  // node-saml reads the Status only of a Response without an assertion.
  const status = children(response, protocolNs, 'StatusCode')[0]?.getAttribute('Value');
  if (status !== success) throw new Error(`status ${status ?? 'missing'}`);
  const assertionId = assertion.getAttribute('ID') ?? '';
  if (!assertionId) throw new Error('assertion has no ID');
  const confirmations = children(assertion, assertionNs, 'SubjectConfirmation')
    .filter((element) => element.getAttribute('Method') === bearer)
    .map((element) => children(element, assertionNs, 'SubjectConfirmationData')[0]);
  const data = confirmations.find((element) => element?.getAttribute('Recipient') === sp.acsUrl);
  if (!data) throw new Error('no bearer SubjectConfirmation for this ACS (Recipient)');
  const notOnOrAfter = instant(data, 'NotOnOrAfter');
  // The Web Browser SSO profile requires a NotOnOrAfter; it also bounds how long an ID must be remembered.
  if (!Number.isFinite(notOnOrAfter) || now - skewMs >= notOnOrAfter)
    throw new Error('bearer SubjectConfirmation expired');
  const notBefore = instant(data, 'NotBefore');
  if (Number.isFinite(notBefore) && now + skewMs < notBefore) throw new Error('assertion not yet valid');
  return { assertionId, notOnOrAfter: notOnOrAfter + skewMs };
}

/** Single-valued attributes as strings; several values joined by commas, as Cognito maps them. */
function claimsOf(attributes: unknown): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries((attributes ?? {}) as Record<string, unknown>)) {
    const values = (Array.isArray(value) ? value : [value]).filter(
      (item): item is string => typeof item === 'string',
    );
    if (values.length > 0) claims[name] = values.join(',');
  }
  return claims;
}

export function samlIdentityProvider(
  settings: SamlProviderSettings,
  options: { now: () => number } = { now: Date.now },
): SamlIdentityProvider {
  let metadata: Promise<IdpMetadata> | undefined;
  let loadedAt = 0;
  const load = () => {
    // Read again now and then, so a rotated signing certificate is picked up without a restart.
    if (options.now() - loadedAt > metadataRefreshMs) metadata = undefined;
    metadata ??= (async () => {
      loadedAt = options.now();
      const text =
        settings.metadataUrl !== undefined
          ? await fetchMetadata(settings.metadataUrl)
          : await readFile(settings.metadataFile ?? '', 'utf8');
      try {
        return parseIdpMetadata(text);
      } catch (error) {
        throw new Error(`${settings.name}: ${(error as Error).message}`);
      }
    })();
    // A metadata document that could not be read is tried again on the next sign-in.
    metadata.catch(() => (metadata = undefined));
    return metadata;
  };
  const saml = (idp: IdpMetadata, sp: SamlServiceProvider, requestId: string | undefined) =>
    new SAML({
      callbackUrl: sp.acsUrl,
      entryPoint: idp.ssoUrl,
      issuer: sp.entityId,
      audience: sp.entityId,
      idpCert: idp.certificates,
      idpIssuer: idp.entityId,
      // Cognito's rule: the assertion itself is signed; a signed Response around an unsigned one is not enough.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: settings.clockSkewMs,
      validateInResponseTo:
        requestId === undefined ? ValidateInResponseTo.never : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: requestLifetimeMs,
      cacheProvider: oneRequestCache(requestId, new Date(options.now()).toISOString()),
      // The AuthnRequest's ID: an xs:ID (a letter or _ first), unguessable.
      generateUniqueId: () => requestId ?? `_${randomBytes(20).toString('hex')}`,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
    });

  return {
    name: settings.name,
    attributeMapping: settings.attributeMapping,
    idpInitiated: settings.idpInitiated,
    async authnRequest(sp, relayState) {
      const idp = await load();
      const requestId = `_${randomBytes(20).toString('hex')}`;
      const url = await saml(idp, sp, requestId).getAuthorizeUrlAsync(relayState, undefined, {});
      return { url, requestId };
    },
    async verify(sp, samlResponse, requestId) {
      const idp = await load();
      const responseXml = Buffer.from(samlResponse, 'base64').toString('utf8');
      const { profile } = await saml(idp, sp, requestId).validatePostResponseAsync({
        SAMLResponse: samlResponse,
      });
      if (!profile) throw new Error(`${settings.name}: no assertion`);
      // node-saml checks idpIssuer on logout messages only: a key shared by several of an IdP's entities signs for each.
      if (profile.issuer !== idp.entityId) throw new Error(`${settings.name}: assertion from another issuer`);
      // Unsolicited: an answer to one of our requests cannot be replayed as an IdP-initiated sign-in.
      if (requestId === undefined && profile.inResponseTo)
        throw new Error(`${settings.name}: InResponseTo in an IdP-initiated Response`);
      const subject = profile.nameID;
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > 255)
        throw new Error(`${settings.name}: invalid NameID`);
      const { assertionId, notOnOrAfter } = confirmation(
        profile.getAssertionXml?.() ?? '',
        responseXml,
        sp,
        settings.clockSkewMs,
        options.now(),
      );
      return {
        issuer: idp.entityId,
        subject,
        claims: claimsOf(profile.attributes),
        assertionId,
        notOnOrAfter,
      };
    },
  };
}

/** The pool's SP metadata: entity ID, and its ACS on the HTTP-POST binding; assertions must be signed. */
export function samlServiceProviderMetadata(sp: SamlServiceProvider): string {
  return generateServiceProviderMetadata({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    wantAssertionsSigned: true,
    identifierFormat: null,
  });
}
