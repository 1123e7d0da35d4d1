/**
 * The user pool a failover refills (ADR 0016): Amazon Cognito's back office, or the embedded
 * pool's, which speaks the same API. Users are made with a password no one knows and no message:
 * each sets their own with a mailed code ("Forgot password").
 */
export interface PoolUserDraft {
  email: string;
  /** The export's attributes, email and the `cognito:` columns left out. */
  attributes: Record<string, string>;
}

export interface PoolUser {
  sub: string;
  username: string;
  /** Cognito's UserStatus: FORCE_CHANGE_PASSWORD until `finish`, CONFIRMED after. */
  status: string;
}

export interface MigrationPool {
  /** Makes the user, or answers the pool's user with that email (`created: false`). */
  createUser(draft: PoolUserDraft): Promise<PoolUser & { created: boolean }>;
  /** Gives a user made by `createUser` an unknown permanent password, and SMS MFA when asked. */
  finish(user: PoolUser, options: { smsMfa: boolean }): Promise<void>;
}
