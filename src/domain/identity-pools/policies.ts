/**
 * The identity pool's two roles and their IAM policies, written once: the CDK app attaches these
 * documents to real IAM roles (infra/), and Plaza's own evaluator (evaluate-policy.ts) checks every
 * SigV4-signed request against the same documents.
 *
 * Guests read public data: the GraphQL API's public queries and the bucket's `public/` prefix.
 * Signed-in identities read all of that and `protected/`, and write under their own identity id
 * (`${cognito-identity.amazonaws.com:sub}`), as Amplify Storage's access levels expect.
 */
import type { RoleType } from './session-tokens.ts';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** What the policies are about: the GraphQL API's ARN and the media bucket's. */
export interface PolicyResources {
  graphqlApiArn: string;
  bucketArn: string;
}

/** The role names, in the CDK stack and in the local ARNs. */
export const identityPoolRoleNames: Record<RoleType, string> = {
  authenticated: 'plaza-identity-authenticated',
  unauthenticated: 'plaza-identity-guest',
};

/** The queries that read public data (the schema's `@aws_iam` fields of Query). */
export const publicQueries = [
  'getUser',
  'getUserByUsername',
  'searchUsers',
  'getPost',
  'listPostsByUser',
  'listLikes',
  'listComments',
  'listFollowers',
  'listFollowing',
  'recentPosts',
  'postsByHashtag',
] as const;

/** The subscriptions to public data (the schema's `@aws_iam` fields of Subscription). */
export const publicSubscriptions = ['onCreatePost'] as const;

const identity = '${cognito-identity.amazonaws.com:sub}';

function publicReads({ graphqlApiArn, bucketArn }: PolicyResources): PolicyStatement[] {
  return [
    {
      Sid: 'PublicQueries',
      Effect: 'Allow',
      Action: 'appsync:GraphQL',
      Resource: [
        ...publicQueries.map((field) => `${graphqlApiArn}/types/Query/fields/${field}`),
        ...publicSubscriptions.map((field) => `${graphqlApiArn}/types/Subscription/fields/${field}`),
      ],
    },
    { Sid: 'ReadPublicMedia', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/public/*` },
  ];
}

/** The guest (unauthenticated) role's policy. */
export function guestPolicy(resources: PolicyResources): PolicyDocument {
  const { graphqlApiArn, bucketArn } = resources;
  return {
    Version: '2012-10-17',
    Statement: [
      ...publicReads(resources),
      {
        Sid: 'ListPublicMedia',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': ['public/', 'public/*'] } },
      },
      // Guests never write, whatever another statement might allow.
      {
        Sid: 'NoWrites',
        Effect: 'Deny',
        Action: ['appsync:GraphQL', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: [`${graphqlApiArn}/types/Mutation/fields/*`, `${bucketArn}/*`],
      },
    ],
  };
}

/** The authenticated role's policy. */
export function authenticatedPolicy(resources: PolicyResources): PolicyDocument {
  const { bucketArn } = resources;
  const own = [`${bucketArn}/protected/${identity}/*`, `${bucketArn}/private/${identity}/*`];
  return {
    Version: '2012-10-17',
    Statement: [
      ...publicReads(resources),
      {
        Sid: 'ReadProtectedAndOwnMedia',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [`${bucketArn}/protected/*`, `${bucketArn}/private/${identity}/*`],
      },
      {
        Sid: 'WriteOwnMedia',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`${bucketArn}/public/*`, ...own],
      },
      {
        Sid: 'ListReadableMedia',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: {
          StringLike: {
            's3:prefix': [
              'public/',
              'public/*',
              'protected/',
              'protected/*',
              `private/${identity}/`,
              `private/${identity}/*`,
            ],
          },
        },
      },
    ],
  };
}

/** Each role's policy. */
export function identityPoolPolicies(resources: PolicyResources): Record<RoleType, PolicyDocument> {
  return { authenticated: authenticatedPolicy(resources), unauthenticated: guestPolicy(resources) };
}

/** The ARNs Plaza's own deployment names (account 000000000000, as AWS's local tools use). */
export function localPolicyResources(region: string, bucket: string): PolicyResources {
  return {
    graphqlApiArn: `arn:aws:appsync:${region}:000000000000:apis/plaza`,
    bucketArn: `arn:aws:s3:::${bucket}`,
  };
}

export function localRoleArns(): Record<RoleType, string> {
  return {
    authenticated: `arn:aws:iam::000000000000:role/${identityPoolRoleNames.authenticated}`,
    unauthenticated: `arn:aws:iam::000000000000:role/${identityPoolRoleNames.unauthenticated}`,
  };
}
