/**
 * The operator console's API on AWS: a Lambda behind a function URL serving /admin/* (the server's
 * routes) for the moderators group, given exactly the AWS calls it makes, and the web app pointed
 * at it through amplify_outputs.json. What AWS answers through it needs an AWS account.
 */
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { operatorPoolActions } from '../../infra/lib/operator-api.ts';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { repoRoot } from '../../infra/lib/settings.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { synthesize, resourcesOf, type Resource, type Statement } from './synth.ts';

let stack: PlazaStack;
let template: Template;
let resources: Record<string, Resource>;
beforeAll(() => {
  ({ stack, template } = synthesize());
  resources = resourcesOf(template);
});

const handlerId = () => stack.getLogicalId(stack.operatorApi.handler.node.defaultChild as CfnFunction);

function statements(): Statement[] {
  const role = (resources[handlerId()]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('the operator console’s API on AWS', () => {
  it('runs src/bin/lambda/admin.ts behind a function URL that the app’s origins may call', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [handlerId(), 'Arn'] },
      // The function checks the moderator's Cognito token itself (admin-routes.ts).
      AuthType: 'NONE',
      Cors: {
        AllowOrigins: ['*'],
        AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        AllowHeaders: ['authorization', 'content-type'],
        MaxAge: 3600,
      },
    });
    // Anyone may reach the URL (both permissions public function URLs need); the token decides.
    for (const Action of ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'])
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action,
        FunctionName: { 'Fn::GetAtt': [handlerId(), 'Arn'] },
        Principal: '*',
      });
    const env = (resources[handlerId()]!.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    const apiId = stack.getLogicalId(stack.api.api.node.defaultChild as CfnElement);
    expect(env).toMatchObject({
      PLAZA_DB: 'dynamodb',
      PLAZA_IDENTITY: 'cognito',
      PLAZA_ALARM_NAME_PREFIX: 'plaza-dev-',
      PLAZA_APPSYNC_API_ID: { 'Fn::GetAtt': [apiId, 'ApiId'] },
    });
    // With stand-ins for what CloudFormation fills in, the app's configuration takes it.
    const standIns: Record<string, string> = {
      PLAZA_TABLE: 'plaza-dev',
      COGNITO_USER_POOL_ID: 'us-west-1_AbCdEfGhI',
      COGNITO_CLIENT_ID: 'abc123',
      PLAZA_APPSYNC_API_ID: 'xlvmnh3lyvfufhsh7ssjhkp5im',
    };
    const literal = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [key, typeof value === 'string' ? value : standIns[key]!]),
    );
    const config = loadConfig({ ...literal, AWS_REGION: 'us-west-1' }, repoRoot);
    expect(config.alarmNamePrefix).toBe('plaza-dev-');
    expect(config.identity.mode).toBe('cognito');
  });

  it('may read alarms, metrics and backups, look users up and act on them in the pool, and nothing else', () => {
    const all = statements();
    const actions = all.flatMap(actionsOf).sort();
    expect(actions).toEqual(
      [
        'cloudwatch:DescribeAlarms',
        'cloudwatch:GetMetricData',
        'dynamodb:ListBackups',
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        ...operatorPoolActions,
      ].sort(),
    );
    const resourcesOf = (action: string) =>
      JSON.stringify(all.filter((s) => actionsOf(s).includes(action)).map((s) => s.Resource));
    // Its own stage's alarms only; the pool's users only.
    expect(resourcesOf('cloudwatch:DescribeAlarms')).toContain(':alarm:plaza-dev-*');
    const poolId = stack.getLogicalId(stack.identity.userPool.node.defaultChild as CfnElement);
    expect(resourcesOf('cognito-idp:AdminDeleteUser')).toContain(poolId);
    expect(resourcesOf('cognito-idp:AdminDeleteUser')).not.toContain('"*"');
    // No writes to the table, no secrets, no GraphQL.
    expect(actions.filter((a) => /PutItem|UpdateItem|DeleteItem|secretsmanager|appsync/.test(a))).toEqual([]);
  });

  it('points the web app’s console at it: custom.operator_api_url in the AmplifyOutputs output', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const urlId = stack.getLogicalId(stack.operatorApi.url.node.defaultChild as CfnElement);
    expect(outputs.OperatorApiUrl!.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    expect(JSON.stringify(outputs.AmplifyOutputs!.Value)).toContain(
      '"custom\\":{\\"operator_api_url\\":\\""',
    );
    expect(JSON.stringify(outputs.AmplifyOutputs!.Value)).toContain(urlId);
  });
});
