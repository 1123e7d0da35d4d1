/** Where users sign in: the embedded pool or Amazon Cognito. Closing an account removes the user there. */
export interface UserDirectory {
  /** Removes the user, their sessions and refresh tokens. Idempotent: an unknown user is no error. */
  deleteUser(userId: string): Promise<void>;
}
