/**
 * The audit log's identity events and the daily analytics on AWS (ADR 0010), as the CDK app
 * synthesizes them: Cognito's post-authentication and post-confirmation triggers, each allowed
 * only the item operations they use on the table; the fan-out Lambda that counts the analytics
 * in the table and writes the audit bucket.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { synthesize, resourcesOf, type Resource, type Statement } from './synth.ts';

let stack: PlazaStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ stack, template } = synthesize());
  resources = resourcesOf(template);
});

const idOf = (fn: NodejsFunction) => stack.getLogicalId(fn.node.defaultChild as never);

/** Every action the function's role may take, with the resources of each statement. */
function grantsOf(fn: NodejsFunction): Statement[] {
  const role = (resources[idOf(fn)]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const tableArn = () => ({
  'Fn::GetAtt': [stack.getLogicalId(stack.table.table.node.defaultChild as never), 'Arn'],
});

describe("Cognito's identity events", () => {
  it('reach the table from the post-authentication and post-confirmation triggers', () => {
    const { postAuthentication, postConfirmation } = stack.identity;
    const [, pool] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Cognito::UserPool')!;
    expect(pool.Properties.LambdaConfig).toMatchObject({
      PostAuthentication: { 'Fn::GetAtt': [idOf(postAuthentication), 'Arn'] },
      PostConfirmation: { 'Fn::GetAtt': [idOf(postConfirmation), 'Arn'] },
    });
    // Cognito may invoke each trigger; nothing else is said about who may.
    const permissions = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Permission' &&
        JSON.stringify(r.Properties.FunctionName).includes(idOf(postAuthentication)),
    );
    expect(permissions.map((r) => r.Properties.Principal)).toEqual(['cognito-idp.amazonaws.com']);
    expect(resources[idOf(postAuthentication)]!.Properties).toMatchObject({
      Timeout: 5,
      Environment: { Variables: { PLAZA_DB: 'dynamodb' } },
    });
    // The user's link read, the audited item put and deleted: on the table, nothing else.
    for (const [fn, actions] of [
      [postAuthentication, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']],
      [postConfirmation, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem']],
    ] as const) {
      const grants = grantsOf(fn).filter((statement) =>
        [statement.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
      expect(grants.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([...actions].sort());
      for (const statement of grants)
        expect(JSON.stringify(statement.Resource)).toContain(JSON.stringify(tableArn()));
    }
  });
});

describe('the analytics on AWS', () => {
  it('are counted in the table by the fan-out Lambda, which writes the audit bucket too', () => {
    const fanOut = stack.feed.fanOut;
    const variables = (
      resources[idOf(fanOut)]!.Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables.PLAZA_AUDIT_BUCKET).toEqual({
      Ref: stack.getLogicalId(stack.auditLog.bucket.node.defaultChild as never),
    });
    // Counters are atomic ADDs, marks conditional puts, in transactions (ConditionCheckItem among them).
    const actions = grantsOf(fanOut).flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
      ]),
    );
  });
});
