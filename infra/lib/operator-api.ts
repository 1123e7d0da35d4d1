/**
 * The operator console's API on AWS (ADR 0013): the server's /admin routes in a Lambda behind a
 * function URL, for the moderators group's Cognito tokens, which the function checks itself
 * (so the URL takes no IAM signature). It reads CloudWatch's alarms and metrics and the table's
 * backups, looks users up in the pool and acts on them; nothing else.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, HttpMethod, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { PlazaTable } from './data.ts';
import { plazaFunction } from './plaza-function.ts';
import type { PlazaSettings } from './settings.ts';

/** What the console does in the pool: the UserDirectory port's operations on Amazon Cognito. */
export const operatorPoolActions = [
  'cognito-idp:AdminGetUser',
  'cognito-idp:ListUsers',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminUserGlobalSignOut',
  'cognito-idp:AdminDeleteUser',
  'cognito-idp:AdminListGroupsForUser',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
];

export class PlazaOperatorApi extends Construct {
  readonly handler: NodejsFunction;
  readonly url: FunctionUrl;

  constructor(
    scope: Construct,
    id: string,
    props: {
      settings: PlazaSettings;
      table: PlazaTable;
      userPool: UserPool;
      client: UserPoolClient;
      api: GraphqlApi;
    },
  ) {
    super(scope, id);
    const { settings } = props;
    const alarmNamePrefix = `plaza-${settings.stage}-`;
    this.handler = plazaFunction(this, 'Handler', {
      entry: 'src/bin/lambda/admin.ts',
      runtime: settings.lambdaRuntime,
      description: "The operator console's API (/admin/*) for the moderators group",
      environment: {
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: props.table.table.tableName,
        PLAZA_IDENTITY: 'cognito',
        COGNITO_USER_POOL_ID: props.userPool.userPoolId,
        COGNITO_CLIENT_ID: props.client.userPoolClientId,
        PLAZA_APPSYNC_API_ID: props.api.apiId,
        PLAZA_ALARM_NAME_PREFIX: alarmNamePrefix,
      },
      memorySize: 512,
      timeout: Duration.seconds(15),
    });
    // Looking a user up by their Plaza username reads the name's claim and the profile.
    props.table.grantItems(this.handler, 'GetItem', 'BatchGetItem', 'Query');
    props.userPool.grant(this.handler, ...operatorPoolActions);
    const { region, account, partition } = Stack.of(this);
    this.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:${alarmNamePrefix}*`],
      }),
    );
    // Neither takes a resource narrower than every one (IAM's service authorization reference).
    this.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudwatch:GetMetricData', 'dynamodb:ListBackups'],
        resources: ['*'],
      }),
    );
    this.url = this.handler.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      cors: {
        allowedOrigins: settings.corsOrigins,
        allowedMethods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE],
        allowedHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });
  }
}
