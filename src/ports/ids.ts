/** Identifiers and secrets come in as a service, so tests can make them predictable. */
export interface Ids {
  /** A ULID: 26 Crockford base-32 characters that sort by creation time. */
  ulid(): string;
  /** A random (v4) UUID, as Cognito's `sub`. */
  uuid(): string;
  /** `bytes` random bytes from a CSPRNG, base64url-encoded. */
  secret(bytes: number): string;
}
