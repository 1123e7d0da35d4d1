/**
 * Signed URLs: how a client may PUT one upload (S3's presigned PUT) and GET a
 * private object (CloudFront's signed URLs) without holding credentials.
 */
export interface UploadTarget {
  key: string;
  contentType: string;
  /** The exact number of bytes the upload must carry. */
  contentLength: number;
  expiresAt: Date;
}

export interface SignedRequest {
  url: string;
  method: 'PUT';
  /** Headers the client must send as they are: they are part of what was signed. */
  headers: Record<string, string>;
}

export interface UploadSigner {
  signUpload(target: UploadTarget): Promise<SignedRequest>;
}

/** Plaza's own signed URLs, checked by its upload route and media server. */
export interface UrlVerifier {
  /** The upload a signed PUT URL allows; throws Forbidden when expired or tampered with. */
  verifyUpload(key: string, query: Record<string, string | undefined>, now: number): UploadTarget;
  /** A GET URL for a private object, valid until `expiresAt`. */
  signGet(key: string, expiresAt: Date): string;
  /** Whether a GET URL's signature is valid for the key and not expired. */
  verifyGet(key: string, query: Record<string, string | undefined>, now: number): boolean;
}
