import { describe, expect, it } from 'vitest';
import { evaluatePolicies, wildcardMatch, type AuthorizationRequest } from './evaluate-policy.ts';
import { identityPoolPolicies, localPolicyResources, type PolicyDocument } from './policies.ts';

const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({
  Version: '2012-10-17',
  Statement,
});
const request = (
  action: string,
  resource: string,
  context: AuthorizationRequest['context'] = {},
): AuthorizationRequest => ({ action, resource, context });

describe('wildcardMatch', () => {
  it('matches * as any run and ? as one character, and nothing else as a pattern', () => {
    expect(wildcardMatch('arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/public/a/b.jpg')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::b/public/*', 'arn:aws:s3:::b/publicx')).toBe(false);
    expect(wildcardMatch('a?c', 'abc')).toBe(true);
    expect(wildcardMatch('a?c', 'ac')).toBe(false);
    expect(wildcardMatch('a.c', 'abc')).toBe(false);
    expect(wildcardMatch('(x)+[y]', '(x)+[y]')).toBe(true);
    expect(wildcardMatch('S3:Get*', 's3:getobject', true)).toBe(true);
    expect(wildcardMatch('S3:Get*', 's3:getobject')).toBe(false);
    expect(wildcardMatch('a*', 'a\nb')).toBe(true);
  });
});

describe('evaluatePolicies', () => {
  const bucket = 'arn:aws:s3:::media';

  it('denies what nothing allows, allows what a statement allows, and lets an explicit Deny win', () => {
    const allow = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/*` });
    const deny = doc({ Effect: 'Deny', Action: 's3:*', Resource: `${bucket}/secret/*` });
    expect(evaluatePolicies([], request('s3:GetObject', `${bucket}/a`))).toBe('ImplicitDeny');
    expect(evaluatePolicies([allow], request('s3:GetObject', `${bucket}/a`))).toBe('Allow');
    expect(evaluatePolicies([allow], request('s3:PutObject', `${bucket}/a`))).toBe('ImplicitDeny');
    expect(evaluatePolicies([allow, deny], request('s3:GetObject', `${bucket}/secret/a`))).toBe(
      'ExplicitDeny',
    );
    expect(evaluatePolicies([deny, allow], request('s3:GetObject', `${bucket}/secret/a`))).toBe(
      'ExplicitDeny',
    );
  });

  it('matches actions without regard to case, and resources with it', () => {
    const policy = doc({ Effect: 'Allow', Action: ['S3:Get*'], Resource: [`${bucket}/Public/*`] });
    expect(evaluatePolicies([policy], request('s3:GetObject', `${bucket}/Public/x`))).toBe('Allow');
    expect(evaluatePolicies([policy], request('s3:GetObject', `${bucket}/public/x`))).toBe('ImplicitDeny');
    expect(
      evaluatePolicies([doc({ Effect: 'Allow', Action: '*', Resource: '*' })], request('x:Y', 'z')),
    ).toBe('Allow');
  });

  it('reads NotAction and NotResource as everything but', () => {
    const policy = doc(
      { Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: `${bucket}/*` },
      { Effect: 'Deny', Action: 's3:*', NotResource: [`${bucket}/mine/*`] },
    );
    expect(evaluatePolicies([policy], request('s3:PutObject', `${bucket}/mine/a`))).toBe('Allow');
    expect(evaluatePolicies([policy], request('s3:DeleteObject', `${bucket}/mine/a`))).toBe('ImplicitDeny');
    expect(evaluatePolicies([policy], request('s3:GetObject', `${bucket}/theirs/a`))).toBe('ExplicitDeny');
  });

  it('replaces policy variables from the context, and a statement with an unknown one matches nothing', () => {
    const policy = doc({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `${bucket}/private/\${cognito-identity.amazonaws.com:sub}/*`,
    });
    const sub = { 'cognito-identity.amazonaws.com:sub': 'us-west-1:abc' };
    expect(
      evaluatePolicies([policy], request('s3:PutObject', `${bucket}/private/us-west-1:abc/x`, sub)),
    ).toBe('Allow');
    expect(
      evaluatePolicies([policy], request('s3:PutObject', `${bucket}/private/us-west-1:other/x`, sub)),
    ).toBe('ImplicitDeny');
    expect(evaluatePolicies([policy], request('s3:PutObject', `${bucket}/private//x`))).toBe('ImplicitDeny');
    // A value's own wildcards are literal: an identity named `*` does not reach every folder.
    expect(
      evaluatePolicies(
        [policy],
        request('s3:PutObject', `${bucket}/private/someone/x`, { 'cognito-identity.amazonaws.com:sub': '*' }),
      ),
    ).toBe('ImplicitDeny');
    const escaped = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/\${*}literal` });
    expect(evaluatePolicies([escaped], request('s3:GetObject', `${bucket}/*literal`))).toBe('Allow');
    expect(evaluatePolicies([escaped], request('s3:GetObject', `${bucket}/xliteral`))).toBe('ImplicitDeny');
  });

  it('evaluates StringLike and StringEquals conditions, their negations and IfExists forms', () => {
    const like = doc({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': ['public/', 'public/*'] } },
    });
    expect(evaluatePolicies([like], request('s3:ListBucket', bucket, { 's3:prefix': 'public/a' }))).toBe(
      'Allow',
    );
    expect(evaluatePolicies([like], request('s3:ListBucket', bucket, { 's3:prefix': 'private/' }))).toBe(
      'ImplicitDeny',
    );
    expect(evaluatePolicies([like], request('s3:ListBucket', bucket))).toBe('ImplicitDeny');
    const equals = (operator: string) =>
      doc({
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucket,
        Condition: { [operator]: { 's3:prefix': 'a/' } },
      });
    expect(
      evaluatePolicies([equals('StringEquals')], request('s3:ListBucket', bucket, { 's3:prefix': 'a/' })),
    ).toBe('Allow');
    expect(
      evaluatePolicies([equals('StringEquals')], request('s3:ListBucket', bucket, { 's3:prefix': 'A/' })),
    ).toBe('ImplicitDeny');
    expect(
      evaluatePolicies(
        [equals('StringEqualsIgnoreCase')],
        request('s3:ListBucket', bucket, { 's3:prefix': 'A/' }),
      ),
    ).toBe('Allow');
    expect(
      evaluatePolicies([equals('StringNotEquals')], request('s3:ListBucket', bucket, { 's3:prefix': 'b/' })),
    ).toBe('Allow');
    expect(evaluatePolicies([equals('StringNotEquals')], request('s3:ListBucket', bucket))).toBe('Allow');
    expect(evaluatePolicies([equals('StringEqualsIfExists')], request('s3:ListBucket', bucket))).toBe(
      'Allow',
    );
    expect(evaluatePolicies([equals('StringEquals')], request('s3:ListBucket', bucket))).toBe('ImplicitDeny');
    expect(
      evaluatePolicies([equals('NumericEquals')], request('s3:ListBucket', bucket, { 's3:prefix': 'a/' })),
    ).toBe('ImplicitDeny');
  });

  it('reads ForAnyValue and ForAllValues over multi-valued keys', () => {
    const any = doc({
      Effect: 'Allow',
      Action: 'x:Y',
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    });
    const all = doc({
      Effect: 'Allow',
      Action: 'x:Y',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    });
    expect(evaluatePolicies([any], request('x:Y', 'r', { 'aws:TagKeys': ['c', 'a'] }))).toBe('Allow');
    expect(evaluatePolicies([all], request('x:Y', 'r', { 'aws:TagKeys': ['c', 'a'] }))).toBe('ImplicitDeny');
    expect(evaluatePolicies([all], request('x:Y', 'r', { 'aws:TagKeys': ['b', 'a'] }))).toBe('Allow');
  });
});

describe("the identity pool's roles", () => {
  const resources = localPolicyResources('us-west-1', 'plaza-media');
  const { authenticated, unauthenticated } = identityPoolPolicies(resources);
  const api = resources.graphqlApiArn;
  const bucket = resources.bucketArn;
  const me = { 'cognito-identity.amazonaws.com:sub': 'us-west-1:me' };

  it('let guests read public data and write nothing', () => {
    const guest = (action: string, resource: string, context: AuthorizationRequest['context'] = me) =>
      evaluatePolicies([unauthenticated], request(action, resource, context));
    expect(guest('appsync:GraphQL', `${api}/types/Query/fields/recentPosts`)).toBe('Allow');
    expect(guest('appsync:GraphQL', `${api}/types/Query/fields/homeFeed`)).toBe('ImplicitDeny');
    expect(guest('appsync:GraphQL', `${api}/types/Mutation/fields/createPost`)).toBe('ExplicitDeny');
    expect(guest('s3:GetObject', `${bucket}/public/a.jpg`)).toBe('Allow');
    expect(guest('s3:GetObject', `${bucket}/protected/us-west-1:x/a.jpg`)).toBe('ImplicitDeny');
    expect(guest('s3:PutObject', `${bucket}/public/a.jpg`)).toBe('ExplicitDeny');
    expect(guest('s3:ListBucket', bucket, { ...me, 's3:prefix': 'public/' })).toBe('Allow');
    expect(guest('s3:ListBucket', bucket, { ...me, 's3:prefix': 'private/' })).toBe('ImplicitDeny');
  });

  it('let signed-in identities write only under their own identity id, and read protected media', () => {
    const user = (action: string, resource: string, context: AuthorizationRequest['context'] = me) =>
      evaluatePolicies([authenticated], request(action, resource, context));
    expect(user('s3:PutObject', `${bucket}/protected/us-west-1:me/a.jpg`)).toBe('Allow');
    expect(user('s3:PutObject', `${bucket}/private/us-west-1:me/a.jpg`)).toBe('Allow');
    expect(user('s3:PutObject', `${bucket}/protected/us-west-1:you/a.jpg`)).toBe('ImplicitDeny');
    expect(user('s3:GetObject', `${bucket}/protected/us-west-1:you/a.jpg`)).toBe('Allow');
    expect(user('s3:GetObject', `${bucket}/private/us-west-1:you/a.jpg`)).toBe('ImplicitDeny');
    expect(user('s3:ListBucket', bucket, { ...me, 's3:prefix': 'private/us-west-1:me/' })).toBe('Allow');
    expect(user('s3:ListBucket', bucket, { ...me, 's3:prefix': 'private/us-west-1:you/' })).toBe(
      'ImplicitDeny',
    );
    expect(user('appsync:GraphQL', `${api}/types/Query/fields/getPost`)).toBe('Allow');
  });
});
