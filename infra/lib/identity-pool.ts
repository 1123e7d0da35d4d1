/**
 * The identity pool (issue 18): guests and users of the user pool get temporary AWS credentials,
 * in a guest role or an authenticated role whose IAM policies are the documents Plaza's local
 * evaluator checks (src/domain/identity-pools/policies.ts), about this stack's AppSync API and
 * media bucket. AppSync takes those credentials (AWS_IAM) for the schema's @aws_iam fields.
 */
import {
  CfnIdentityPool,
  CfnIdentityPoolRoleAttachment,
  type UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { FederatedPrincipal, PolicyDocument, Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { identityPoolPolicies, identityPoolRoleNames } from '../../src/domain/identity-pools/policies.ts';
import type { RoleType } from '../../src/domain/identity-pools/session-tokens.ts';

export class PlazaIdentityPool extends Construct {
  readonly pool: CfnIdentityPool;
  readonly roles: Record<RoleType, Role>;

  constructor(
    scope: Construct,
    id: string,
    props: {
      stage: string;
      userPool: UserPool;
      client: UserPoolClient;
      graphqlApiArn: string;
      bucket: IBucket;
      allowGuests: boolean;
    },
  ) {
    super(scope, id);
    this.pool = new CfnIdentityPool(this, 'Pool', {
      identityPoolName: `plaza_${props.stage}`,
      allowUnauthenticatedIdentities: props.allowGuests,
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          clientId: props.client.userPoolClientId,
          providerName: props.userPool.userPoolProviderName,
          serverSideTokenCheck: false,
        },
      ],
    });
    const policies = identityPoolPolicies({
      graphqlApiArn: props.graphqlApiArn,
      bucketArn: props.bucket.bucketArn,
    });
    // Only this pool's identities, in the matching kind, may assume each role.
    const role = (kind: RoleType) =>
      new Role(this, kind === 'authenticated' ? 'AuthenticatedRole' : 'GuestRole', {
        roleName: `${identityPoolRoleNames[kind]}-${props.stage}`,
        description: `Plaza identity pool: ${kind === 'authenticated' ? 'signed-in users' : 'guests'}`,
        assumedBy: new FederatedPrincipal(
          'cognito-identity.amazonaws.com',
          {
            StringEquals: { 'cognito-identity.amazonaws.com:aud': this.pool.ref },
            'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind },
          },
          'sts:AssumeRoleWithWebIdentity',
        ),
        inlinePolicies: { access: PolicyDocument.fromJson(policies[kind]) },
      });
    this.roles = { authenticated: role('authenticated'), unauthenticated: role('unauthenticated') };
    new CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.pool.ref,
      roles: {
        authenticated: this.roles.authenticated.roleArn,
        ...(props.allowGuests ? { unauthenticated: this.roles.unauthenticated.roleArn } : {}),
      },
    });
  }
}
