/**
 * Checks AWS Signature Version 4 on an incoming request with @smithy/signature-v4, the AWS SDK's
 * own signer: the request is signed again, over exactly the headers it says it signed, with the
 * secret of the access key it names, and the two signatures are compared in constant time. The
 * signature must be no more than 15 minutes from now, as AWS allows.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';

/** SHA-256 (and HMAC-SHA256 when given a key) from Node's crypto, in the shape the signer takes. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac(
          'sha256',
          typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as Uint8Array),
        );
  }
  update(data: SourceData): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface IncomingSignedRequest {
  method: string;
  /** The path as sent (percent-encoded), without the query string. */
  path: string;
  /** The query string as sent, without `?`. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | Uint8Array | undefined;
}

/** The secret (and session token, checked) of an access key; undefined when it is unknown or expired. */
export type SecretLookup<P> = (
  accessKeyId: string,
  sessionToken: string | undefined,
) => { secretAccessKey: string; principal: P } | undefined;

export type Verification<P> =
  | { ok: true; principal: P; accessKeyId: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'unknown key' | 'signature' };

const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;._-]+), ?Signature=([0-9a-f]{64})$/;

const maxSkewMs = 15 * 60 * 1000;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const match = value && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function queryOf(query: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const existing = params[name];
    params[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return params;
}

/**
 * Verifies the request's Authorization header for `service`. `uriEscapePath` as the service's
 * clients sign (true for all but S3, whose paths are signed as sent).
 */
export async function verifySignedRequest<P>(
  request: IncomingSignedRequest,
  options: {
    service: string;
    now: number;
    lookup: SecretLookup<P>;
    uriEscapePath?: boolean;
    /** S3 lets a client leave the payload out of the signature (`UNSIGNED-PAYLOAD`, streaming). */
    unsignedPayload?: boolean;
  },
): Promise<Verification<P>> {
  const header = single(request.headers.authorization);
  if (!header) return { ok: false, reason: 'missing' };
  const match = authorizationPattern.exec(header);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = match as unknown as string[];
  if (service !== options.service) return { ok: false, reason: 'malformed' };
  const amzDate = single(request.headers['x-amz-date']);
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || amzDate!.slice(0, 8) !== day) return { ok: false, reason: 'malformed' };
  if (Math.abs(options.now - signingDate.getTime()) > maxSkewMs) return { ok: false, reason: 'expired' };
  const signed = signedHeaderList!.split(';');
  if (!signed.includes('host')) return { ok: false, reason: 'malformed' };
  if (!payloadHashHolds(request, options.unsignedPayload ?? false)) return { ok: false, reason: 'signature' };
  const sessionToken = single(request.headers['x-amz-security-token']);
  const found = options.lookup(accessKeyId!, sessionToken);
  if (!found) return { ok: false, reason: 'unknown key' };
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = single(request.headers[name]);
    if (value === undefined) return { ok: false, reason: 'signature' };
    headers[name] = value;
  }
  const signer = new SignatureV4({
    service: service!,
    region: region!,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: found.secretAccessKey, sessionToken },
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: options.uriEscapePath ?? true,
  });
  const path = options.uriEscapePath === false ? request.path : safeDecode(request.path);
  if (path === undefined) return { ok: false, reason: 'malformed' };
  const resigned = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: headers.host ?? '',
      path,
      query: queryOf(request.query),
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(resigned.headers.authorization))?.[1] ?? '';
  const given = Buffer.from(signature!, 'hex');
  const computed = Buffer.from(expected, 'hex');
  // The signed header list must be the one the signer used, or a header left out would go unnoticed.
  const sameHeaders = String(resigned.headers.authorization).includes(`SignedHeaders=${signedHeaderList},`);
  if (!sameHeaders || given.length !== computed.length || !timingSafeEqual(given, computed))
    return { ok: false, reason: 'signature' };
  return { ok: true, principal: found.principal, accessKeyId: accessKeyId! };
}

/**
 * The signer takes `x-amz-content-sha256` as the payload's hash when it is there, so the body must
 * be checked against it here, or any body would pass under a signed hash of another.
 */
function payloadHashHolds(request: IncomingSignedRequest, unsignedPayload: boolean): boolean {
  const declared = single(request.headers['x-amz-content-sha256']);
  if (declared === undefined) return true;
  if (!/^[0-9a-f]{64}$/.test(declared)) return unsignedPayload;
  const actual = createHash('sha256')
    .update(request.body ?? '')
    .digest();
  const claimed = Buffer.from(declared, 'hex');
  return timingSafeEqual(actual, claimed);
}

function safeDecode(path: string): string | undefined {
  try {
    return path
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return undefined;
  }
}

const credentialPattern = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;

/** The longest a presigned URL may be valid for (seven days), as AWS allows. */
const maxPresignedSeconds = 7 * 24 * 3600;

/**
 * Verifies a presigned URL (the signature in the query string, `X-Amz-Signature`), as S3's
 * clients presign them: the payload is never signed, the URL is good from `X-Amz-Date` for
 * `X-Amz-Expires` seconds.
 */
export async function verifyPresignedRequest<P>(
  request: IncomingSignedRequest,
  options: { service: string; now: number; lookup: SecretLookup<P>; uriEscapePath?: boolean },
): Promise<Verification<P>> {
  const query = queryOf(request.query);
  const param = (name: string) => (typeof query[name] === 'string' ? query[name] : undefined);
  const credential = credentialPattern.exec(param('X-Amz-Credential') ?? '');
  const signingDate = parseAmzDate(param('X-Amz-Date'));
  const expires = Number(param('X-Amz-Expires'));
  const signedHeaderList = param('X-Amz-SignedHeaders') ?? '';
  const signature = param('X-Amz-Signature') ?? '';
  if (
    param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
    !credential ||
    !signingDate ||
    param('X-Amz-Date')!.slice(0, 8) !== credential[2] ||
    credential[4] !== options.service ||
    !Number.isInteger(expires) ||
    expires < 1 ||
    expires > maxPresignedSeconds ||
    !/^[a-z0-9;._-]+$/.test(signedHeaderList) ||
    !/^[0-9a-f]{64}$/.test(signature)
  )
    return { ok: false, reason: 'malformed' };
  const [, accessKeyId, , region] = credential as unknown as string[];
  if (signingDate.getTime() - options.now > maxSkewMs || options.now > signingDate.getTime() + expires * 1000)
    return { ok: false, reason: 'expired' };
  const signed = signedHeaderList.split(';');
  if (!signed.includes('host')) return { ok: false, reason: 'malformed' };
  const sessionToken = param('X-Amz-Security-Token');
  const found = options.lookup(accessKeyId!, sessionToken);
  if (!found) return { ok: false, reason: 'unknown key' };
  const headers: Record<string, string> = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  for (const name of signed) {
    const value = single(request.headers[name]);
    if (value === undefined) return { ok: false, reason: 'signature' };
    headers[name] = value;
  }
  const unsignedQuery = Object.fromEntries(
    Object.entries(query).filter(([name]) => name !== 'X-Amz-Signature'),
  );
  const signer = new SignatureV4({
    service: options.service,
    region: region!,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: found.secretAccessKey, sessionToken },
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: options.uriEscapePath ?? true,
  });
  const path = options.uriEscapePath === false ? request.path : safeDecode(request.path);
  if (path === undefined) return { ok: false, reason: 'malformed' };
  const signedSet = new Set(signed);
  // The payload is UNSIGNED-PAYLOAD: read from that header, which is neither signed nor moved to the query.
  const unsigned = new Set(['x-amz-content-sha256']);
  const presigned = await signer.presign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: headers.host ?? '',
      path,
      query: unsignedQuery,
      headers,
    },
    {
      signingDate,
      expiresIn: expires,
      signableHeaders: signedSet,
      unsignableHeaders: signed.includes('x-amz-content-sha256') ? new Set() : unsigned,
      unhoistableHeaders: new Set([...signed, ...unsigned]),
    },
  );
  const given = Buffer.from(signature, 'hex');
  const computed = Buffer.from(String(presigned.query?.['X-Amz-Signature'] ?? ''), 'hex');
  if (
    presigned.query?.['X-Amz-SignedHeaders'] !== signedHeaderList ||
    given.length !== computed.length ||
    !timingSafeEqual(given, computed)
  )
    return { ok: false, reason: 'signature' };
  return { ok: true, principal: found.principal, accessKeyId: accessKeyId! };
}
