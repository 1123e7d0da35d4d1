/**
 * Who signed an S3 request, and whether the role's policy lets them do it: the request is
 * SigV4-signed (service `s3`, paths signed as sent, payload possibly unsigned) with identity-pool
 * credentials, and each operation is then asked of the identity's role policy, as S3 asks IAM
 * (`s3:GetObject` on `arn:aws:s3:::<bucket>/<key>`, `s3:ListBucket` on the bucket with `s3:prefix`).
 */
import { evaluatePolicies } from '../../domain/identity-pools/evaluate-policy.ts';
import type { PolicyDocument } from '../../domain/identity-pools/policies.ts';
import type { RoleType, SessionTokens } from '../../domain/identity-pools/session-tokens.ts';
import type { Clock } from '../../ports/clock.ts';
import { sessionCredentials } from '../graphql/iam-auth.ts';
import {
  verifyPresignedRequest,
  verifySignedRequest,
  type IncomingSignedRequest,
} from '../http/sigv4-verifier.ts';
import { S3Error } from './s3-xml.ts';

export interface S3Caller {
  identityId: string;
  role: RoleType;
}

export interface S3Access {
  /** The signed request's identity; an S3Error when the signature, key or session token fails. */
  caller(request: IncomingSignedRequest): Promise<S3Caller>;
  /** Refuses (AccessDenied) what the caller's role may not do. */
  require(caller: S3Caller, action: string, resource: string, context?: Record<string, string>): void;
}

export function s3Access(options: {
  tokens: SessionTokens;
  clock: Clock;
  policies: Record<RoleType, PolicyDocument>;
}): S3Access {
  const { tokens, clock, policies } = options;
  const lookup = sessionCredentials(tokens);
  return {
    async caller(request) {
      const now = clock.now();
      const presigned = new URLSearchParams(request.query);
      const options = {
        service: 's3',
        now,
        uriEscapePath: false,
        lookup: (accessKeyId: string, sessionToken: string | undefined) =>
          lookup(accessKeyId, sessionToken, now),
      };
      const verified = presigned.has('X-Amz-Signature')
        ? await verifyPresignedRequest(request, options)
        : await verifySignedRequest(request, { ...options, unsignedPayload: true });
      if (verified.ok) return { identityId: verified.principal.identityId, role: verified.principal.role };
      if (presigned.has('X-Amz-Signature') && verified.reason === 'expired')
        throw new S3Error('AccessDenied', 'Request has expired');
      const sessionToken = presigned.get('X-Amz-Security-Token') ?? request.headers['x-amz-security-token'];
      // Expired credentials are told apart, so the SDK's provider knows to fetch new ones.
      const expired =
        verified.reason === 'unknown key' &&
        typeof sessionToken === 'string' &&
        tokens.open(sessionToken, 0) !== undefined;
      throw expired
        ? new S3Error('ExpiredToken', 'The provided token has expired.')
        : signatureFailure(verified.reason);
    },
    require(caller, action, resource, context = {}) {
      const decision = evaluatePolicies([policies[caller.role]], {
        action,
        resource,
        context: { 'cognito-identity.amazonaws.com:sub': caller.identityId, ...context },
      });
      if (decision !== 'Allow') throw new S3Error('AccessDenied', 'Access Denied');
    },
  };
}

function signatureFailure(
  reason: 'missing' | 'malformed' | 'expired' | 'unknown key' | 'signature',
): S3Error {
  switch (reason) {
    case 'missing':
      return new S3Error(
        'AccessDenied',
        'Anonymous access is not allowed: sign the request with identity-pool credentials.',
      );
    case 'malformed':
      return new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed.');
    case 'expired':
      return new S3Error(
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    case 'unknown key':
      return new S3Error(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    case 'signature':
      return new S3Error(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
  }
}
