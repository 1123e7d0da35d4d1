/** Who made a request, as the API sees it after verifying their credentials. */
export type Caller =
  | {
      kind: 'user';
      sub: string;
      username: string;
      tokenUse: 'access' | 'id';
      claims: Record<string, unknown>;
    }
  | { kind: 'apiKey'; keyId: string }
  /** AWS credentials from the identity pool (SigV4): a guest's or a signed-in identity's role. */
  | { kind: 'iam'; identityId: string; role: 'authenticated' | 'unauthenticated'; accessKeyId: string }
  /** An AWS principal of the deployment itself (AppSync's AWS_IAM, no identity pool): a Plaza Lambda's role. */
  | { kind: 'service'; arn: string }
  | { kind: 'anonymous' };

/**
 * Verifies a user-pool token (access or ID, as AppSync accepts both). One
 * adapter checks tokens against a pool's JWKS: Amazon Cognito's at scale,
 * the embedded pool's on one machine.
 */
export interface IdentityVerifier {
  /** Resolves to the user, or throws Unauthorized. */
  verify(token: string): Promise<Extract<Caller, { kind: 'user' }>>;
}

/** AppSync-style API keys: read-only access to public data, until they expire. */
export interface ApiKeyVerifier {
  /** Resolves to the key's caller, or throws Unauthorized when unknown or expired. */
  verify(key: string): Promise<Extract<Caller, { kind: 'apiKey' }>>;
}
