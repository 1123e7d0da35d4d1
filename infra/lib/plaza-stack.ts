/**
 * Plaza on AWS: the design's stack, running the same code as the local
 * server. One stack per stage (`Plaza-<stage>`).
 */
import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { amplifyOutputs } from '../../src/edge/http/amplify-outputs.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { PlazaAlarms } from './alarms.ts';
import { PlazaApi } from './api.ts';
import { PlazaAuditLog } from './audit.ts';
import { PlazaTable } from './data.ts';
import { recoveryAlarms } from './disaster-recovery.ts';
import { PlazaFeed } from './feed.ts';
import { PlazaIdentity } from './identity.ts';
import { PlazaIdentityPool } from './identity-pool.ts';
import { PlazaLifecycle } from './lifecycle.ts';
import { PlazaMedia } from './media.ts';
import { PlazaOperatorApi } from './operator-api.ts';
import type { PlazaSettings } from './settings.ts';
import { PlazaUserPoolExport } from './user-pool-export.ts';

export class PlazaStack extends Stack {
  readonly table: PlazaTable;
  readonly identity: PlazaIdentity;
  readonly identityPool: PlazaIdentityPool | undefined;
  readonly api: PlazaApi;
  readonly feed: PlazaFeed;
  readonly auditLog: PlazaAuditLog;
  readonly media: PlazaMedia;
  readonly lifecycle: PlazaLifecycle;
  readonly alarms: PlazaAlarms;
  readonly userPoolExport: PlazaUserPoolExport;
  readonly operatorApi: PlazaOperatorApi;

  constructor(scope: Construct, id: string, props: StackProps & { settings: PlazaSettings }) {
    const { settings } = props;
    super(scope, id, {
      ...props,
      description: `Plaza (${settings.stage}): Cognito, DynamoDB, AppSync, Lambda, S3 and CloudFront`,
      terminationProtection: settings.stage === 'prod',
    });
    Tags.of(this).add('project', 'plaza');
    Tags.of(this).add('stage', settings.stage);

    this.table = new PlazaTable(this, 'Data', {
      definition: mainTable(settings.tableName),
      stage: settings.stage,
      recovery: settings.disasterRecovery,
    });
    this.identity = new PlazaIdentity(this, 'Identity', { settings, table: this.table });
    this.media = new PlazaMedia(this, 'Media', { settings, table: this.table });
    this.api = new PlazaApi(this, 'GraphQL', {
      settings,
      table: this.table,
      userPool: this.identity.userPool,
      client: this.identity.client,
      media: this.media,
    });
    this.identityPool = settings.identityPool.enabled
      ? new PlazaIdentityPool(this, 'IdentityPool', {
          stage: settings.stage,
          userPool: this.identity.userPool,
          client: this.identity.client,
          graphqlApiArn: this.api.api.arn,
          bucket: this.media.bucket,
          allowGuests: settings.identityPool.allowGuests,
        })
      : undefined;
    this.feed = new PlazaFeed(this, 'Feed', {
      table: this.table,
      runtime: settings.lambdaRuntime,
      fanOutFollowerLimit: settings.fanOutFollowerLimit,
      api: this.api.api,
    });
    this.auditLog = new PlazaAuditLog(this, 'AuditLog', { writer: this.feed.fanOut });
    this.lifecycle = new PlazaLifecycle(this, 'Lifecycle', {
      table: this.table,
      media: this.media,
      api: this.api,
      runtime: settings.lambdaRuntime,
    });
    this.userPoolExport = new PlazaUserPoolExport(this, 'UserPoolExport', {
      userPool: this.identity.userPool,
      table: this.table,
      runtime: settings.lambdaRuntime,
      stage: settings.stage,
      recovery: settings.disasterRecovery,
    });
    this.alarms = new PlazaAlarms(this, 'Alarms', {
      stage: settings.stage,
      alarmEmail: settings.alarmEmail,
      api: this.api.api,
      resolver: this.api.resolverFunction,
      workers: {
        FeedFanOut: this.feed.fanOut,
        PostConfirmation: this.identity.postConfirmation,
        MediaPipeline: this.media.pipeline,
        VideoPipeline: this.media.videoPipeline,
        DataLifecycle: this.lifecycle.consumer,
        UsersExport: this.userPoolExport.exporter,
        ...(this.userPoolExport.migrator ? { UsersMigrate: this.userPoolExport.migrator } : {}),
      },
      table: this.table.table,
      rules: settings.alarmRules,
      userPool: this.identity.userPool,
      client: this.identity.client,
      feedFanOut: this.feed.fanOut,
      deadLetters: {
        FeedDeadLetters: this.feed.deadLetters,
        MediaDeadLetters: this.media.deadLetters,
        LifecycleDeadLetters: this.lifecycle.deadLetters,
      },
      recovery: recoveryAlarms(this, settings.disasterRecovery),
    });

    this.operatorApi = new PlazaOperatorApi(this, 'OperatorApi', {
      settings,
      table: this.table,
      userPool: this.identity.userPool,
      client: this.identity.client,
      api: this.api.api,
    });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('Region', this.region, 'AWS_REGION for clients and the plaza CLI');
    output('UserPoolId', this.identity.userPool.userPoolId, 'COGNITO_USER_POOL_ID');
    output('UserPoolClientId', this.identity.client.userPoolClientId, 'COGNITO_CLIENT_ID');
    output('GraphQLUrl', this.api.api.graphqlUrl, 'AppSync endpoint');
    if (this.identityPool)
      output(
        'IdentityPoolId',
        this.identityPool.pool.ref,
        'The identity pool (Amplify: auth.identity_pool_id)',
      );
    output('GraphQLApiKey', this.api.api.apiKey ?? '', 'API key for public, read-only queries');
    output('TableName', this.table.table.tableName, 'PLAZA_TABLE');
    output('MediaBucket', this.media.bucket.bucketName, 'S3_BUCKET');
    output('MediaUrl', this.media.url, 'PLAZA_CDN_URL: where media is served');
    output('MediaKeyPairId', this.media.publicKey.publicKeyId, 'CloudFront key pair id for signed URLs');
    output(
      'UserPoolExportBucket',
      this.userPoolExport.bucket.bucketName,
      'Where the weekly user-pool exports are kept',
    );
    output('AlarmTopic', this.alarms.topic.topicArn, 'SNS topic the alarms notify');
    output('OperatorApiUrl', this.operatorApi.url.url, "The operator console's API (/admin/*)");
    output(
      'AmplifyOutputs',
      this.toJsonString(this.amplifyOutputs(settings)),
      "The web app's amplify_outputs.json, as the local server serves it",
    );
  }

  /** The same builder as the local server's GET /amplify_outputs.json, with this stack's references. */
  private amplifyOutputs(settings: PlazaSettings) {
    const hostedUi = this.identity.hostedUi;
    return amplifyOutputs({
      region: this.region,
      pool: {
        userPoolId: this.identity.userPool.userPoolId,
        clientId: this.identity.client.userPoolClientId,
        passwordMinLength: settings.userPool.passwordMinLength,
        mfa: settings.userPool.mfa,
        oauth: hostedUi &&
          settings.federation && {
            domain: hostedUi.domainName,
            scopes: settings.federation.scopes,
            callbackUrls: settings.federation.callbackUrls,
            logoutUrls: settings.federation.logoutUrls,
            providers: hostedUi.providerNames,
          },
      },
      identityPool: this.identityPool && {
        id: this.identityPool.pool.ref,
        allowGuests: settings.identityPool.allowGuests,
      },
      data: { url: this.api.api.graphqlUrl, apiKey: this.api.api.apiKey },
      bucketName: this.media.bucket.bucketName,
      operatorApiUrl: this.operatorApi.url.url,
    });
  }
}
