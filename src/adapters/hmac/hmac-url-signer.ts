/**
 * Signed URLs for the local server, with HMAC-SHA256 over everything the URL
 * grants: method, key, content type, exact length and expiry. Uploads use
 * S3's idea (a presigned PUT); private media uses CloudFront's query
 * parameters (`Expires`, `Signature`, `Key-Pair-Id`), so clients handle both
 * kinds of URL the same way on one machine and on AWS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PlazaError } from '../../platform/errors.ts';
import type {
  SignedRequest,
  UploadSigner,
  UploadTarget,
  UrlVerifier,
} from '../../ports/object-store/signed-urls.ts';

export interface HmacUrlSignerOptions {
  secret: Buffer;
  /** Names the secret in URLs, as CloudFront's key pair id names its public key. */
  keyId: string;
  /** Where clients reach the server, read at signing time (known once it listens). */
  baseUrl: () => string;
}

/** Keys are server-built (safe characters only); slashes stay readable in the path. */
const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export class HmacUrlSigner implements UploadSigner, UrlVerifier {
  readonly #secret: Buffer;
  readonly #keyId: string;
  readonly #baseUrl: () => string;

  constructor(options: HmacUrlSignerOptions) {
    this.#secret = options.secret;
    this.#keyId = options.keyId;
    this.#baseUrl = options.baseUrl;
  }

  #mac(parts: string[]): string {
    return createHmac('sha256', this.#secret).update(parts.join('\n')).digest('base64url');
  }

  #matches(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async signUpload(target: UploadTarget): Promise<SignedRequest> {
    const expires = Math.floor(target.expiresAt.getTime() / 1000);
    const signature = this.#mac([
      'PUT',
      target.key,
      target.contentType,
      String(target.contentLength),
      String(expires),
    ]);
    const query = new URLSearchParams({
      'X-Plaza-Content-Type': target.contentType,
      'X-Plaza-Content-Length': String(target.contentLength),
      'X-Plaza-Expires': String(expires),
      'X-Plaza-Signature': signature,
    });
    return {
      url: `${this.#baseUrl()}/upload/${encodeKey(target.key)}?${query}`,
      method: 'PUT',
      headers: { 'Content-Type': target.contentType },
    };
  }

  verifyUpload(key: string, query: Record<string, string | undefined>, now: number): UploadTarget {
    const contentType = query['X-Plaza-Content-Type'] ?? '';
    const contentLength = query['X-Plaza-Content-Length'] ?? '';
    const expires = query['X-Plaza-Expires'] ?? '';
    const expected = this.#mac(['PUT', key, contentType, contentLength, expires]);
    if (!this.#matches(expected, query['X-Plaza-Signature'])) {
      throw new PlazaError('Forbidden', 'The upload URL is not valid for this object');
    }
    if (Number(expires) * 1000 <= now) throw new PlazaError('Forbidden', 'The upload URL has expired');
    return {
      key,
      contentType,
      contentLength: Number(contentLength),
      expiresAt: new Date(Number(expires) * 1000),
    };
  }

  signGet(key: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    const query = new URLSearchParams({
      Expires: String(expires),
      Signature: this.#mac(['GET', key, String(expires)]),
      'Key-Pair-Id': this.#keyId,
    });
    return `${this.#baseUrl()}/media/${encodeKey(key)}?${query}`;
  }

  verifyGet(key: string, query: Record<string, string | undefined>, now: number): boolean {
    const expires = query.Expires ?? '';
    return (
      query['Key-Pair-Id'] === this.#keyId &&
      this.#matches(this.#mac(['GET', key, expires]), query.Signature) &&
      Number(expires) * 1000 > now
    );
  }
}
