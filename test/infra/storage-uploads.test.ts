/**
 * Amplify Storage's uploads on AWS (ADR 0014): S3 sends the image pipeline the object-created
 * events of `private/`, the pipeline may read and remove the objects of identities' `uploads/`
 * folders only, and no function of Plaza's writes under `private/`. What the pipeline relies on,
 * that only an identity writes under its own `private/<identity id>/`, is checked on the
 * authenticated and guest roles' policies as the template attaches them, with Plaza's evaluator.
 */
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { evaluatePolicies } from '../../src/domain/identity-pools/evaluate-policy.ts';
import type { PolicyDocument } from '../../src/domain/identity-pools/policies.ts';
import type { RoleType } from '../../src/domain/identity-pools/session-tokens.ts';
import { synthesize, resourcesOf, type Resource, type Statement } from './synth.ts';

let stack: PlazaStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ stack, template } = synthesize());
  resources = resourcesOf(template);
});

const logicalId = (element: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(element.node.defaultChild as CfnElement);

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The template's values with the bucket's and the API's ARNs as the ARNs they stand for. */
function resolved(value: unknown, arns: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolved(item, arns));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const getAtt = record['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt?.[1] === 'Arn' && arns[getAtt[0]]) return arns[getAtt[0]];
    const join = record['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return (resolved(join[1], arns) as string[]).join(join[0]);
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, resolved(item, arns)]));
  }
  return value;
}

describe('Amplify Storage’s uploads on AWS', () => {
  it('sends the image pipeline the object-created events of private/, apart from every other filter', () => {
    const notifications = Object.values(resources).filter((r) => r.Type === 'Custom::S3BucketNotifications');
    expect(notifications).toHaveLength(1);
    const configurations = (
      notifications[0]!.Properties.NotificationConfiguration as {
        LambdaFunctionConfigurations: {
          Events: string[];
          Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
          LambdaFunctionArn: unknown;
        }[];
      }
    ).LambdaFunctionConfigurations;
    const rules = configurations.map((c) =>
      Object.fromEntries(c.Filter.Key.FilterRules.map((rule) => [rule.Name, rule.Value])),
    );
    const uploads = configurations.filter((_, index) => rules[index]!.prefix === 'private/');
    expect(uploads).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'private/' }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [logicalId(stack.media.pipeline), 'Arn'] },
      },
    ]);
    // S3 refuses overlapping filters for one event type: no other prefix reaches into private/.
    for (const rule of rules.filter((r) => r.prefix !== 'private/'))
      expect(rule.prefix!.startsWith('private/') || 'private/'.startsWith(rule.prefix!)).toBe(false);
  });

  it('lets the pipeline read and remove identities’ uploads only, and no function write under private/', () => {
    const bucketArn = 'arn:aws:s3:::plaza-media';
    const arns = { [logicalId(stack.media.bucket)]: bucketArn };
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const statementsOf = (functionId: string): Statement[] => {
      const role = (resources[functionId]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      return Object.values(resources)
        .filter(
          (r) =>
            r.Type === 'AWS::IAM::Policy' &&
            (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
        )
        .flatMap(
          (r) => (resolved(r.Properties.PolicyDocument, arns) as { Statement: Statement[] }).Statement,
        );
    };
    const objectsFor = (functionId: string, action: string) =>
      statementsOf(functionId)
        .filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => a === action || a === 's3:*'))
        .flatMap((s) => list(s.Resource))
        .filter(
          (resource): resource is string => typeof resource === 'string' && resource.startsWith(bucketArn),
        );
    const pipeline = logicalId(stack.media.pipeline);
    expect(objectsFor(pipeline, 's3:DeleteObject')).toEqual([`${bucketArn}/private/*/uploads/*`]);
    expect(objectsFor(pipeline, 's3:GetObject')).toContain(`${bucketArn}/private/*/uploads/*`);
    expect(functions.length).toBeGreaterThan(5);
    expect(objectsFor(pipeline, 's3:PutObject')).toContainEqual(`${bucketArn}/users/*`);
    for (const [id] of functions) {
      for (const resource of objectsFor(id, 's3:PutObject')) {
        expect(resource).not.toMatch(/\/private\//);
        expect(resource).not.toBe(`${bucketArn}/*`);
      }
      if (id !== pipeline)
        expect(objectsFor(id, 's3:DeleteObject')).not.toContainEqual(expect.stringMatching(/private/));
    }
  });

  it('lets an identity write under its own private/ folder only, as the roles are attached', () => {
    const bucketArn = 'arn:aws:s3:::plaza-media';
    const arns = {
      [logicalId(stack.media.bucket)]: bucketArn,
      [stack.getLogicalId(stack.api.api.node.defaultChild as CfnElement)]:
        'arn:aws:appsync:us-west-1:123456789012:apis/plaza',
    };
    const policyOf = (kind: RoleType) => {
      const role = resources[logicalId(stack.identityPool!.roles[kind])]!.Properties;
      const [policy] = role.Policies as { PolicyDocument: unknown }[];
      return resolved(policy!.PolicyDocument, arns) as PolicyDocument;
    };
    const own = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000001';
    const other = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000002';
    const upload = (identityId: string) =>
      `${bucketArn}/private/${identityId}/uploads/01KDHZ8Q0000000000000000AA/a.jpg`;
    const decide = (kind: RoleType, action: string, resource: string) =>
      evaluatePolicies([policyOf(kind)], {
        action,
        resource,
        context: { 'cognito-identity.amazonaws.com:sub': own },
      });
    // PutObject is also what CreateMultipartUpload, UploadPart, CompleteMultipartUpload and a
    // CopyObject's destination are authorized as.
    expect(decide('authenticated', 's3:PutObject', upload(own))).toBe('Allow');
    expect(decide('authenticated', 's3:PutObject', upload(other))).toBe('ImplicitDeny');
    expect(decide('authenticated', 's3:PutObject', `${bucketArn}/private/${own}x/uploads/a/b.jpg`)).toBe(
      'ImplicitDeny',
    );
    expect(decide('unauthenticated', 's3:PutObject', upload(own))).toBe('ExplicitDeny');
  });
});
