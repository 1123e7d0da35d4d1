/** Identifiers come in as a service, so tests can make them predictable. */
export interface Ids {
  /** A ULID: 26 Crockford base-32 characters that sort by creation time. */
  ulid(): string;
}
