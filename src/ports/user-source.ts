/**
 * The users of a pool, as its export reads them: the embedded pool's store, or Amazon Cognito's
 * ListUsers. Only what describes a user: no password hash, verifier or MFA secret ever crosses it.
 */
export interface ExportedUser {
  sub: string;
  email: string;
  /** Cognito's UserStatus (UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, …). */
  status: string;
  enabled: boolean;
  mfaEnabled: boolean;
  attributes: Record<string, string>;
  createdAt: string;
}

export interface UserSource {
  /** The columns of Cognito's user-import CSV for this pool (GetCSVHeader's). */
  csvHeader(): Promise<string[]>;
  /** Every user, a page at a time, so a large pool is never held in memory. */
  users(): AsyncIterable<ExportedUser>;
}
