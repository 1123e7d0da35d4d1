/**
 * Where users sign in: the embedded pool or Amazon Cognito. Closing an account removes the user
 * there; a moderator's suspension disables them there; the operator console looks users up and
 * manages their sessions and groups there.
 */
export interface DirectoryUser {
  /** The user's id everywhere in Plaza. */
  sub: string;
  /** The pool's username (the sub, or `<provider>_<id>` for a federated user). */
  username: string;
  email: string | undefined;
  enabled: boolean;
  /** Cognito's UserStatus (CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, …). */
  status: string;
  createdAt: string;
}

export interface UserDirectory {
  /** Removes the user, their sessions and refresh tokens. Idempotent: an unknown user is no error. */
  deleteUser(userId: string): Promise<void>;
  /**
   * Disables the user and ends every session (refresh tokens stop working; access tokens are
   * refused where Plaza checks revocation), or enables them again. Unknown user: NotFound.
   */
  setEnabled(userId: string, enabled: boolean): Promise<void>;
  /** The user an email, the pool's username or the sub names; undefined when none. */
  findUser(nameOrEmail: string): Promise<DirectoryUser | undefined>;
  /** Ends every session of the user (refresh tokens refused). Unknown user: NotFound. */
  signOutEverywhere(userId: string): Promise<void>;
  /** The names of the user's groups. Unknown user: NotFound. */
  listGroups(userId: string): Promise<string[]>;
  /** Unknown user or group: NotFound. Adding a member again, or removing a non-member, is no error. */
  addToGroup(userId: string, group: string): Promise<void>;
  removeFromGroup(userId: string, group: string): Promise<void>;
}
