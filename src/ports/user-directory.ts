/**
 * Where users sign in: the embedded pool or Amazon Cognito. Closing an account removes the user
 * there; a moderator's suspension disables them there.
 */
export interface UserDirectory {
  /** Removes the user, their sessions and refresh tokens. Idempotent: an unknown user is no error. */
  deleteUser(userId: string): Promise<void>;
  /**
   * Disables the user and ends every session (refresh tokens stop working; access tokens are
   * refused where Plaza checks revocation), or enables them again. Unknown user: NotFound.
   */
  setEnabled(userId: string, enabled: boolean): Promise<void>;
}
