import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  verifyPresignedRequest,
  verifySignedRequest,
  type IncomingSignedRequest,
  type SecretLookup,
} from './sigv4-verifier.ts';

const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-key', sessionToken: 'token-1' };
const now = Date.UTC(2026, 5, 1, 12);

/** A request as a client signs it with the AWS SDK's signer, and as the server then receives it. */
async function signed(
  options: {
    body?: string;
    path?: string;
    query?: Record<string, string>;
    at?: number;
    service?: string;
    applyChecksum?: boolean;
  } = {},
): Promise<IncomingSignedRequest> {
  const body = options.body ?? '{"query":"{ recentPosts { items { id } } }"}';
  const request = await new SignatureV4({
    service: options.service ?? 'appsync',
    region: 'us-west-1',
    credentials,
    sha256: Sha256,
    applyChecksum: options.applyChecksum ?? true,
  }).sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4000,
      path: options.path ?? '/graphql',
      query: options.query ?? {},
      headers: { host: '127.0.0.1:4000', 'content-type': 'application/json', 'user-agent': 'test' },
      body,
    },
    { signingDate: new Date(options.at ?? now) },
  );
  const query = new URLSearchParams(request.query as Record<string, string>).toString();
  return {
    method: 'POST',
    path: (options.path ?? '/graphql').split('/').map(encodeURIComponent).join('/'),
    query,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body,
  };
}

const lookup: SecretLookup<string> = (accessKeyId, sessionToken) =>
  accessKeyId === credentials.accessKeyId && sessionToken === credentials.sessionToken
    ? { secretAccessKey: credentials.secretAccessKey, principal: 'identity-1' }
    : undefined;

const verify = (request: IncomingSignedRequest, at = now) =>
  verifySignedRequest(request, { service: 'appsync', now: at, lookup });

describe('verifySignedRequest', () => {
  it('accepts what the AWS SDK signed, with its query and an encoded path', async () => {
    expect(await verify(await signed())).toEqual({
      ok: true,
      principal: 'identity-1',
      accessKeyId: 'ASIAEXAMPLE',
    });
    expect(await verify(await signed({ path: '/graphql/a b', query: { x: '1 2', y: 'é' } }))).toMatchObject({
      ok: true,
    });
  });

  it('refuses a tampered body, header, path or query', async () => {
    const request = await signed();
    expect(await verify({ ...request, body: `${String(request.body)} ` })).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(await verify({ ...request, path: '/graphql2' })).toEqual({ ok: false, reason: 'signature' });
    expect(await verify({ ...request, query: 'x=1' })).toEqual({ ok: false, reason: 'signature' });
    expect(
      await verify({ ...request, headers: { ...request.headers, 'content-type': 'text/plain' } }),
    ).toEqual({ ok: false, reason: 'signature' });
    const bare = await signed({ applyChecksum: false });
    expect(bare.headers['x-amz-content-sha256']).toBeUndefined();
    expect(await verify(bare)).toMatchObject({ ok: true });
    expect(await verify({ ...bare, body: '{}' })).toEqual({ ok: false, reason: 'signature' });
    // An unsigned header may change (the signer leaves user-agent out).
    expect(
      await verify({ ...request, headers: { ...request.headers, 'user-agent': 'other' } }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('refuses a signature by another secret, an unknown key or token, another service, or none', async () => {
    const request = await signed();
    const wrongSecret: SecretLookup<string> = () => ({ secretAccessKey: 'other', principal: 'x' });
    expect(await verifySignedRequest(request, { service: 'appsync', now, lookup: wrongSecret })).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(
      await verify({ ...request, headers: { ...request.headers, 'x-amz-security-token': 'token-2' } }),
    ).toEqual({ ok: false, reason: 'unknown key' });
    expect(await verify(await signed({ service: 's3' }))).toEqual({ ok: false, reason: 'malformed' });
    const { authorization: _, ...unsigned } = request.headers;
    expect(await verify({ ...request, headers: unsigned })).toEqual({ ok: false, reason: 'missing' });
    expect(await verify({ ...request, headers: { ...request.headers, authorization: 'Bearer x' } })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses a signature more than 15 minutes from now', async () => {
    const request = await signed({ at: now - 16 * 60 * 1000 });
    expect(await verify(request)).toEqual({ ok: false, reason: 'expired' });
    expect(await verify(await signed({ at: now + 14 * 60 * 1000 }))).toMatchObject({ ok: true });
    expect(await verify(await signed(), now + 16 * 60 * 1000)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('verifyPresignedRequest', () => {
  /** A GET presigned as S3's presigner does it (UNSIGNED-PAYLOAD, the path signed as sent). */
  async function presigned(path: string): Promise<IncomingSignedRequest> {
    const request = await new SignatureV4({
      service: 's3',
      region: 'us-west-1',
      credentials,
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    }).presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4000,
        path,
        query: { 'x-id': 'GetObject' },
        headers: { host: '127.0.0.1:4000', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      },
      { signingDate: new Date(now), expiresIn: 300, unsignableHeaders: new Set(['content-type']) },
    );
    const query = new URLSearchParams(request.query as Record<string, string>).toString();
    return { method: 'GET', path, query, headers: { host: '127.0.0.1:4000' }, body: undefined };
  }
  const check = (request: IncomingSignedRequest, at = now) =>
    verifyPresignedRequest(request, { service: 's3', now: at, lookup, uriEscapePath: false });

  it('accepts a presigned URL until it expires', async () => {
    const request = await presigned('/s3/bucket/public/a%20b.jpg');
    expect(await check(request)).toEqual({ ok: true, principal: 'identity-1', accessKeyId: 'ASIAEXAMPLE' });
    expect(await check(request, now + 299_000)).toMatchObject({ ok: true });
    expect(await check(request, now + 301_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another path, another expiry, another host and a week-long URL', async () => {
    const request = await presigned('/s3/bucket/public/a.jpg');
    expect(await check({ ...request, path: '/s3/bucket/public/b.jpg' })).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(
      await check({ ...request, query: request.query.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000') }),
    ).toEqual({ ok: false, reason: 'signature' });
    expect(await check({ ...request, headers: { host: 'evil:4000' } })).toEqual({
      ok: false,
      reason: 'signature',
    });
    const weekLong = {
      ...request,
      query: request.query.replace('X-Amz-Expires=300', 'X-Amz-Expires=700000'),
    };
    expect(await check(weekLong)).toEqual({ ok: false, reason: 'malformed' });
  });
});
