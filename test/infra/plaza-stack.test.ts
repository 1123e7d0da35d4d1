/**
 * The CDK app's template (synthesized offline, without bundling): every
 * resource and setting the issue asks for, taken from the same definitions the
 * local server uses, and least-privilege IAM per Lambda.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { auditRetentionDays } from '../../infra/lib/audit.ts';
import { feedFanOutFilterPatterns } from '../../infra/lib/feed-stream-filters.ts';
import { dataExportFilterPatterns, erasureFilterPatterns } from '../../infra/lib/lifecycle-stream-filters.ts';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { repoRoot } from '../../infra/lib/settings.ts';
import { identityPoolPolicies } from '../../src/domain/identity-pools/policies.ts';
import type { RoleType } from '../../src/domain/identity-pools/session-tokens.ts';
import { defaultAlarmRules } from '../../src/domain/operations/alarm-rules.ts';
import { defaultDataExportSettings } from '../../src/domain/privacy/data-export.ts';
import { appSyncPrelude } from '../../src/edge/graphql/appsync-prelude.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { mainIndexes, mainTable } from '../../src/ports/item-store/table.ts';
import { eventFiltersPass } from '../support/event-filters.ts';
import { synthesize, resourcesOf as templateResources, type Resource, type Statement } from './synth.ts';

const schemaSource = readFileSync(join(repoRoot, 'src/edge/graphql/schema.graphql'), 'utf8');
const cachingOptimized = '658327ea-f89d-4fab-a63d-7e88639e58f6';

let stack: PlazaStack;
let template: Template;
let resources: Record<string, Resource>;
let outdir: string;

beforeAll(() => {
  ({ stack, template, outdir } = synthesize());
  resources = templateResources(template);
});

function logicalId(scope: Stack, fn: LambdaFunction): string {
  return scope.getLogicalId(fn.node.defaultChild as CfnFunction);
}

/** Every statement in the inline policies attached to a function's role. */
function statementsOf(fn: LambdaFunction): Statement[] {
  const role = (resources[logicalId(stack, fn)]?.Properties.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOf(fn: LambdaFunction): string[] {
  return statementsOf(fn)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();
}

/** The resources a function's role may use an action on, across its statements. */
function resourcesOf(fn: NodejsFunction, action: string): unknown[] {
  return statementsOf(fn)
    .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
}

function propertiesOf(fn: NodejsFunction): Record<string, unknown> {
  return resources[logicalId(stack, fn)]!.Properties;
}

function environmentOf(fn: NodejsFunction): Record<string, unknown> {
  return (propertiesOf(fn).Environment as { Variables: Record<string, unknown> }).Variables;
}

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

describe('the CDK stack', () => {
  it('builds the table from the same definition as both engines', () => {
    const attributes = new Set(['PK', 'SK', ...mainIndexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        TableName: 'plaza-dev',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith(
          [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        ),
        GlobalSecondaryIndexes: mainIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        })),
        BillingMode: 'PAY_PER_REQUEST',
        // A global table (test/infra/disaster-recovery.test.ts): recovery and protection are each replica's.
        Replicas: Match.arrayWith([
          Match.objectLike({
            Region: 'us-west-1',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ]),
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        // The design's cost strategy 2: stories, feed entries, unused uploads and exports expire by their `ttl`.
        TimeToLiveSpecification: { AttributeName: mainTable('plaza').ttlAttribute, Enabled: true },
      },
    });
    const table = ofType('AWS::DynamoDB::GlobalTable')[0]?.[0];
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 5 ? * SAT *)' })] },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [table, 'Arn'] }] }),
    });
  });

  it('configures the user pool as the design and the config file say', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        Policies: {
          PasswordPolicy: {
            MinimumLength: 8,
            RequireLowercase: false,
            RequireNumbers: false,
            RequireSymbols: false,
            RequireUppercase: false,
            TemporaryPasswordValidityDays: 7,
          },
        },
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'],
        SmsConfiguration: {
          ExternalId: 'plaza-dev-sms',
          SnsCallerArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SmsRole'), 'Arn'] },
        },
        UserPoolTier: 'LITE',
        DeletionProtection: 'ACTIVE',
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'preferred_username', AttributeDataType: 'String', Mutable: true }),
          Match.objectLike({ Name: 'profile_picture_url', AttributeDataType: 'String', Mutable: true }),
        ]),
        LambdaConfig: {
          PostConfirmation: { 'Fn::GetAtt': [logicalId(stack, stack.identity.postConfirmation), 'Arn'] },
        },
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: [
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_USER_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'moderators' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({
            Principal: { Service: 'cognito-idp.amazonaws.com' },
            Condition: { StringEquals: { 'sts:ExternalId': 'plaza-dev-sms' } },
          }),
        ],
      }),
      Policies: [
        Match.objectLike({
          PolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Action: 'sns:Publish' })] }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, stack.identity.postConfirmation), 'Arn'] },
    });
  });

  it('serves the same schema file on AppSync, with a Direct Lambda resolver per Query and Mutation field', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      AdditionalAuthenticationProviders: [
        { AuthenticationType: 'API_KEY' },
        { AuthenticationType: 'AWS_IAM' },
      ],
      QueryDepthLimit: 8,
      IntrospectionConfig: 'ENABLED',
    });
    template.hasResourceProperties('AWS::AppSync::GraphQLSchema', { Definition: schemaSource });
    template.resourceCountIs('AWS::AppSync::ApiKey', 1);

    const schema = buildSchema(appSyncPrelude + schemaSource);
    const rootFields = [schema.getQueryType()!, schema.getMutationType()!].flatMap((type) =>
      Object.keys(type.getFields()).map((field) => `${type.name}.${field}`),
    );
    const lambdaSource = ofType('AWS::AppSync::DataSource').find(
      ([, r]) => r.Properties.Type === 'AWS_LAMBDA',
    );
    expect(lambdaSource).toBeDefined();
    const resolvers = ofType('AWS::AppSync::Resolver').map(([, r]) => r.Properties);
    const direct = resolvers.filter((r) => r.TypeName === 'Query' || r.TypeName === 'Mutation');
    expect(direct.map((r) => `${String(r.TypeName)}.${String(r.FieldName)}`).sort()).toEqual(
      rootFields.sort(),
    );
    for (const resolver of direct) {
      expect(resolver.DataSourceName).toBe(lambdaSource![1].Properties.Name);
      // Direct Lambda: no mapping templates and no code.
      expect(resolver.RequestMappingTemplate).toBeUndefined();
      expect(resolver.ResponseMappingTemplate).toBeUndefined();
      expect(resolver.Code).toBeUndefined();
    }
    expect(lambdaSource![1].Properties.LambdaConfig).toEqual({
      LambdaFunctionArn: { 'Fn::GetAtt': [logicalId(stack, stack.api.resolverFunction), 'Arn'] },
    });
  });

  it('caches the fields the config file names per resolver, keyed by caller and arguments', () => {
    template.hasResourceProperties('AWS::AppSync::ApiCache', {
      ApiCachingBehavior: 'PER_RESOLVER_CACHING',
      Type: 'SMALL',
      Ttl: 3600,
      AtRestEncryptionEnabled: true,
      TransitEncryptionEnabled: true,
    });
    const cachingOf = (t: Template) =>
      Object.fromEntries(
        Object.values(t.findResources('AWS::AppSync::Resolver'))
          .map((r) => (r as Resource).Properties)
          .filter((r) => r.CachingConfig)
          .map((r) => [`${String(r.TypeName)}.${String(r.FieldName)}`, r.CachingConfig]),
      );
    // The design's defaults, as the local server caches them.
    expect(cachingOf(template)).toEqual({
      'Query.getPost': { Ttl: 3600, CachingKeys: ['$context.identity.sub', '$context.arguments.id'] },
      'Query.getUser': { Ttl: 3600, CachingKeys: ['$context.identity.sub', '$context.arguments.id'] },
    });
    // The Lambda answers these whole.
    const env = (
      resources[logicalId(stack, stack.api.resolverFunction)]!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env.PLAZA_APPSYNC_CACHED_FIELDS).toBe('Query.getPost,Query.getUser');

    const dir = mkdtempSync(join(tmpdir(), 'plaza-cdk-config-'));
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({
        caching: {
          fields: {
            'Query.getPost': { ttlSeconds: 60 },
            'Query.getUser': { ttlSeconds: 0 },
            'Query.getUserByUsername': { ttlSeconds: 120, keys: ['$ctx.args.username'] },
            'Post.author': { ttlSeconds: 30 },
          },
        },
        userPool: { triggers: { preSignUp: join(repoRoot, 'test/infra/fixtures/pre-sign-up.mjs') } },
        alarms: {
          rules: [
            {
              name: 'SlowRequests',
              metric: 'plaza_latency_seconds',
              statistic: 'p90',
              threshold: 0.5,
              comparison: 'GreaterThanThreshold',
              periodSeconds: 60,
              evaluationPeriods: 3,
              treatMissingData: 'notBreaching',
            },
          ],
        },
      }),
    );
    const configured = synthesize({ config: join(dir, 'plaza.config.json') });
    expect(cachingOf(configured.template)).toEqual({
      'Query.getPost': { Ttl: 60, CachingKeys: ['$context.identity.sub', '$context.arguments.id'] },
      'Query.getUserByUsername': {
        Ttl: 120,
        CachingKeys: ['$context.identity.sub', '$context.arguments.username'],
      },
    });
    Annotations.fromStack(configured.stack).hasWarning('*', Match.stringLikeRegexp('Post.author'));
    configured.template.hasResourceProperties('AWS::AppSync::ApiCache', { Ttl: 120 });
    // The config file's trigger modules become the pool's Lambda triggers, with no grants.
    const preSignUp = configured.stack.identity.triggers.preSignUp!;
    configured.template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PostConfirmation: Match.anyValue(),
        PreSignUp: { 'Fn::GetAtt': [logicalId(configured.stack, preSignUp), 'Arn'] },
      },
    });
    expect(Object.keys(configured.stack.identity.triggers)).toEqual(['preSignUp']);
    const role = (
      configured.template.toJSON().Resources[logicalId(configured.stack, preSignUp)].Properties.Role as {
        'Fn::GetAtt': [string, string];
      }
    )['Fn::GetAtt'][0];
    expect(
      Object.values(configured.template.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify((p as Resource).Properties.Roles).includes(role),
      ),
    ).toEqual([]);

    // The config file's alarm rules replace the defaults, on AWS as on the server (latency in ms there).
    const ruleAlarms = Object.values(configured.template.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => (r as Resource).Properties)
      .filter(
        (a) =>
          !String(a.AlarmName).match(
            /Resolver|FanOut|PostConfirmation|Pipeline|Feed|DataLifecycle|UsersExport|DeadLetters|Replica/,
          ),
      );
    expect(ruleAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'plaza-dev-SlowRequests',
        MetricName: 'Latency',
        Namespace: 'AWS/AppSync',
        ExtendedStatistic: 'p90',
        Threshold: 500,
        EvaluationPeriods: 3,
      }),
    ]);

    const uncached = synthesize({ apiCache: 'none', stage: 'prod' }).template;
    uncached.resourceCountIs('AWS::AppSync::ApiCache', 0);
    expect(cachingOf(uncached)).toEqual({});
    uncached.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'DISABLED' });
  });

  it('filters subscriptions by their arguments with enhanced filters', () => {
    const subscriptions = ofType('AWS::AppSync::Resolver')
      .map(([, r]) => r.Properties)
      .filter((r) => r.TypeName === 'Subscription');
    expect(subscriptions.map((r) => r.FieldName).sort()).toEqual([
      'onAddComment',
      'onCreatePost',
      'onLikePost',
      'onNotification',
    ]);
    const none = ofType('AWS::AppSync::DataSource').find(([, r]) => r.Properties.Type === 'NONE')![1];
    for (const resolver of subscriptions) {
      expect(resolver.DataSourceName).toBe(none.Properties.Name);
      expect(resolver.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
      expect(String(resolver.Code)).toContain('extensions.setSubscriptionFilter');
    }
    const onLikePost = subscriptions.find((r) => r.FieldName === 'onLikePost')!;
    expect(String(onLikePost.Code)).toContain('filter.id = { eq: ctx.args.postId }');
    // A user's own notifications only, whatever they ask.
    const onNotification = subscriptions.find((r) => r.FieldName === 'onNotification')!;
    expect(String(onNotification.Code)).toContain('filter.recipientId = { eq: ctx.identity.sub }');
  });

  it('runs every Lambda on Node 20 with an environment the app’s config accepts', () => {
    const functions = [
      stack.api.resolverFunction,
      stack.feed.fanOut,
      stack.identity.postConfirmation,
      stack.media.pipeline,
      stack.lifecycle.consumer,
    ];
    // Stand-ins for the values CloudFormation fills in at deployment.
    const standIns: Record<string, string> = {
      PLAZA_TABLE: 'plaza-dev',
      COGNITO_USER_POOL_ID: 'us-west-1_AbCdEfGhI',
      COGNITO_CLIENT_ID: 'abc123',
      PLAZA_NEXT_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-west-1:123456789012:secret:next-token-AbCdEf',
      S3_BUCKET: 'plaza-dev-media-bucket',
      PLAZA_CDN_URL: 'https://d111111abcdef8.cloudfront.net',
      PLAZA_CDN_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
      PLAZA_CDN_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-west-1:123456789012:secret:signing-AbCdEf',
      PLAZA_CDN_DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
      PLAZA_APPSYNC_API_ID: 'xlvmnh3lyvfufhsh7ssjhkp5im',
      PLAZA_APPSYNC_URL: 'https://xlvmnh3lyvfufhsh7ssjhkp5im.appsync-api.us-west-1.amazonaws.com/graphql',
      PLAZA_AUDIT_BUCKET: 'plaza-dev-auditlogbucket-1a2b3c4d5e6f',
    };
    for (const fn of functions) {
      const properties = resources[logicalId(stack, fn)]!.Properties;
      expect(properties.Runtime).toBe('nodejs20.x');
      // sharp's native build is the x86_64 one the tests run; everything else is arm64 (cheaper).
      expect(properties.Architectures).toEqual([fn === stack.media.pipeline ? 'x86_64' : 'arm64']);
      expect(properties.Handler).toBe('index.handler');
      const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const env = Object.fromEntries(
        Object.entries(variables).map(([key, value]) => {
          if (typeof value === 'string') return [key, value];
          expect(standIns, `a stand-in for ${key}`).toHaveProperty(key);
          return [key, standIns[key]];
        }),
      );
      const config = loadConfig({ ...env, AWS_REGION: 'us-west-1' }, repoRoot);
      expect(config.db.engine).toBe('dynamodb');
      expect(config.db.table).toBe('plaza-dev');
      expect(config.production).toBe(true);
    }
    const resolverEnv = (
      resources[logicalId(stack, stack.api.resolverFunction)]!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(resolverEnv).toMatchObject({
      PLAZA_IDENTITY: 'cognito',
      PLAZA_DB: 'dynamodb',
      PLAZA_STORAGE: 's3',
      // The per-user write limits, as the local server reads them from the config file.
      PLAZA_WRITES_PER_MINUTE: 'posts=10,comments=30,likes=120,follows=60,reports=10',
    });
    expect(resolverEnv.PLAZA_NEXT_TOKEN_SECRET_ARN).toEqual({
      Ref: stack.getLogicalId(stack.api.nextTokenKey.node.defaultChild as never),
    });
    expect(resolverEnv.PLAZA_CDN_KEY_PAIR_ID).toEqual({
      Ref: stack.getLogicalId(stack.media.publicKey.node.defaultChild as never),
    });
  });

  it('feeds the fan-out from the table stream, filtered, with failures retried and set aside', () => {
    const table = ofType('AWS::DynamoDB::GlobalTable')[0]![0];
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FunctionName: { Ref: logicalId(stack, stack.feed.fanOut) },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FilterCriteria: { Filters: feedFanOutFilterPatterns.map((p) => ({ Pattern: JSON.stringify(p) })) },
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [stack.getLogicalId(stack.feed.deadLetters.node.defaultChild as never), 'Arn'],
          },
        },
      },
    });
    // The hybrid fan-out's threshold, from the config file as the local server reads it.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('fans new posts out'),
      Environment: { Variables: Match.objectLike({ PLAZA_FAN_OUT_FOLLOWER_LIMIT: '10000' }) },
    });
  });

  it('keeps media private in S3 behind CloudFront with origin access control and signed story URLs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      // The design's cost strategies: every rule, and nothing else.
      LifecycleConfiguration: {
        Rules: [
          // Originals (and the renditions big enough for Intelligent-Tiering to tier) under users/.
          {
            Id: 'intelligent-tiering',
            Status: 'Enabled',
            Prefix: 'users/',
            ObjectSizeGreaterThan: 128 * 1024,
            Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }],
          },
          // The config file's media.noncurrentVersionDays, as the local store applies it.
          {
            Id: 'old-versions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            ExpiredObjectDeleteMarker: true,
          },
          {
            Id: 'unfinished-uploads',
            Status: 'Enabled',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
          { Id: 'stories', Status: 'Enabled', Prefix: 'stories/', ExpirationInDays: 2 },
          // The data export's lifetime (defaultDataExportSettings), in S3's whole days.
          {
            Id: 'data-exports',
            Status: 'Enabled',
            Prefix: 'exports/',
            ExpirationInDays: defaultDataExportSettings.lifetimeMs / (24 * 3600 * 1000),
          },
        ],
      },
      CorsConfiguration: {
        CorsRules: [Match.objectLike({ AllowedMethods: ['PUT', 'POST'], AllowedOrigins: ['*'] })],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const keyGroup = ofType('AWS::CloudFront::KeyGroup')[0]![0];
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: cachingOptimized,
        }),
        // Stories, and the untouched originals (ADR 0007): only on URLs signed with the key group's key.
        CacheBehaviors: Match.arrayWith(
          ['stories/*', 'users/*/posts/*/original.jpg', 'users/*/profile/avatar.jpg', 'exports/*'].map(
            (pattern) =>
              Match.objectLike({
                PathPattern: pattern,
                ViewerProtocolPolicy: 'redirect-to-https',
                CachePolicyId: cachingOptimized,
                TrustedKeyGroups: [{ Ref: keyGroup }],
              }),
          ),
        ),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
    // Only the default behaviour (the public renditions) serves without a signature.
    const [, distribution] = ofType('AWS::CloudFront::Distribution')[0]!;
    const behaviours = (
      distribution.Properties as { DistributionConfig: { CacheBehaviors: { TrustedKeyGroups?: unknown }[] } }
    ).DistributionConfig.CacheBehaviors;
    expect(behaviours.every((behaviour) => behaviour.TrustedKeyGroups !== undefined)).toBe(true);
    const keyPair = ofType('Custom::PlazaSigningKeyPair')[0]![0];
    template.hasResourceProperties('AWS::CloudFront::PublicKey', {
      PublicKeyConfig: Match.objectLike({ EncodedKey: { 'Fn::GetAtt': [keyPair, 'PublicKeyPem'] } }),
    });
  });

  it('deploys the local server’s alarm rules, the design’s HighErrorRate first, and Lambda alarms, on one SNS topic', () => {
    const topic = ofType('AWS::SNS::Topic')[0]![0];
    const api = ofType('AWS::AppSync::GraphQLApi')[0]![0];
    const appSyncMetric = (name: string) =>
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: {
            Namespace: 'AWS/AppSync',
            MetricName: name,
            Dimensions: [{ Name: 'GraphQLAPIId', Value: { 'Fn::GetAtt': [api, 'ApiId'] } }],
          },
          Period: 300,
          Stat: 'Sum',
        }),
      });
    // More than 10% of requests failing (AppSync's 4XX and 5XX over its requests) in two 5-minute periods.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'plaza-dev-HighErrorRate',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: '100 * (m0 + m1) / (d0)' }),
        appSyncMetric('4XXError'),
        appSyncMetric('5XXError'),
        appSyncMetric('Requests'),
      ]),
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.errorType = "InternalFailure" }',
    });
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      [
        ...defaultAlarmRules.map((rule) => `plaza-dev-${rule.name}`),
        'plaza-dev-ResolverFailures',
        'plaza-dev-ResolverThrottles',
        'plaza-dev-FeedFanOutErrors',
        'plaza-dev-FeedFanOutThrottles',
        'plaza-dev-PostConfirmationErrors',
        'plaza-dev-PostConfirmationThrottles',
        'plaza-dev-MediaPipelineErrors',
        'plaza-dev-MediaPipelineThrottles',
        'plaza-dev-VideoPipelineErrors',
        'plaza-dev-VideoPipelineThrottles',
        'plaza-dev-DataLifecycleErrors',
        'plaza-dev-DataLifecycleThrottles',
        'plaza-dev-UsersExportErrors',
        'plaza-dev-UsersExportThrottles',
        'plaza-dev-FeedLag',
        'plaza-dev-FeedDeadLetters',
        'plaza-dev-MediaDeadLetters',
        'plaza-dev-LifecycleDeadLetters',
        // The secondary region's (test/infra/disaster-recovery.test.ts).
        'plaza-dev-TableReplicaLag',
        'plaza-dev-MediaReplicationFailures',
        'plaza-dev-UserPoolExportReplicationFailures',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'plaza-dev-ItemStoreThrottling',
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ReadThrottleEvents' }) }),
        }),
      ]),
    });
  });

  it('grants each Lambda only what it uses', () => {
    const item = (actions: string[]) => actions.map((a) => `dynamodb:${a}`);
    const mediaObjects = ['s3:GetObject', 's3:ListBucket', 's3:PutObject'];
    // The stream consumer reads profiles and followers and writes feed entries, writes notifications
    // in transactions and publishes them (one mutation: test/infra/notifications.test.ts); no secrets.
    expect(actionsOf(stack.feed.fanOut)).toEqual(
      [
        'appsync:GraphQL',
        ...item(['BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem']),
        ...item(['PutItem', 'Query', 'UpdateItem']),
        ...item(['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams']),
        // The audit log (ADR 0010): its entries and their listing, nothing deleted.
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    // The triggers' audited items (ADR 0010) are put and deleted at once; the sign-in's reads the user's link.
    expect(actionsOf(stack.identity.postConfirmation)).toEqual(item(['DeleteItem', 'GetItem', 'PutItem']));
    expect(actionsOf(stack.identity.postAuthentication)).toEqual(item(['DeleteItem', 'GetItem', 'PutItem']));
    expect(actionsOf(stack.media.pipeline)).toEqual(
      [
        ...item(['GetItem', 'UpdateItem']),
        ...mediaObjects,
        // Amplify Storage's uploads, read and removed (test/infra/storage-uploads.test.ts).
        's3:DeleteObject',
        's3:GetObject',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(actionsOf(stack.api.resolverFunction)).toEqual(
      [
        ...item([
          'BatchGetItem',
          'BatchWriteItem',
          'ConditionCheckItem',
          'DeleteItem',
          'GetItem',
          'PutItem',
          'Query',
          'UpdateItem',
        ]),
        ...mediaObjects,
        'cognito-idp:AdminDeleteUser',
        'cognito-idp:AdminDisableUser',
        'cognito-idp:AdminUserGlobalSignOut',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    // deleteMyAccount and a suspension act on this stack's pool, and no other.
    const userPool = stack.getLogicalId(stack.identity.userPool.node.defaultChild as never);
    for (const action of ['AdminDeleteUser', 'AdminDisableUser', 'AdminUserGlobalSignOut'])
      expect(resourcesOf(stack.api.resolverFunction, `cognito-idp:${action}`)).toEqual([
        { 'Fn::GetAtt': [userPool, 'Arn'] },
      ]);
    const secretsOf = (fn: NodejsFunction) =>
      statementsOf(fn)
        .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(secretsOf(stack.api.resolverFunction)).toEqual(
      [stack.api.nextTokenKey, stack.media.signingKey].map((secret) => ({
        Ref: stack.getLogicalId(secret.node.defaultChild as never),
      })),
    );
    const functions = [
      stack.feed.fanOut,
      stack.identity.postConfirmation,
      stack.api.resolverFunction,
      stack.media.pipeline,
      stack.lifecycle.consumer,
    ];
    for (const fn of functions) {
      for (const statement of statementsOf(fn)) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        expect(actions.some((a) => a.includes('*'))).toBe(false);
        // Only ListStreams has no resource to name.
        if (statement.Resource === '*') expect(actions).toEqual(['dynamodb:ListStreams']);
        // Object actions reach the media, export and audit keys only.
        if (actions.includes('s3:PutObject')) {
          expect(JSON.stringify(statement.Resource)).toMatch(/\/(users|stories|exports|audit)\/\*/);
          expect(JSON.stringify(statement.Resource)).not.toMatch(/"\/\*"/);
        }
      }
    }
    // No Scan anywhere: every read goes by key or query.
    expect(JSON.stringify(template.toJSON())).not.toContain('dynamodb:Scan');
  });

  it('reads the table stream with two consumers, as AWS advises: the feed fan-out and the data lifecycle', () => {
    const table = ofType('AWS::DynamoDB::GlobalTable')[0]![0];
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    const readers = mappings.filter(
      (m) => JSON.stringify(m.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [table, 'StreamArn'] }),
    );
    expect(readers).toHaveLength(2);
    expect(readers.map((m) => m.FunctionName)).toEqual(
      expect.arrayContaining([
        { Ref: logicalId(stack, stack.feed.fanOut) },
        { Ref: logicalId(stack, stack.lifecycle.consumer) },
      ]),
    );
    // Nothing else reads a stream: no third reader hides behind another resource.
    expect(mappings).toHaveLength(2);
  });

  it('erases deletions and builds data exports in one stream consumer, filtered, retried and set aside', () => {
    const { consumer, deadLetters } = stack.lifecycle;
    const table = ofType('AWS::DynamoDB::GlobalTable')[0]![0];
    const queue = stack.getLogicalId(deadLetters.node.defaultChild as never);
    // Both consumers' filters, the erasure's then the export's, and no more than Lambda's default quota of 5.
    const filters = [...erasureFilterPatterns, ...dataExportFilterPatterns];
    expect(filters).toHaveLength(5);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FunctionName: { Ref: logicalId(stack, consumer) },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 24 * 3600,
      // Few records to a batch: an export build holds back at most 4 erasures' cache flush.
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FilterCriteria: { Filters: filters.map((p) => ({ Pattern: JSON.stringify(p) })) },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    expect(resources[queue]!.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });

    // Lambda's longest run: a large account's cascade (resumed by a retry), a large archive in /tmp.
    expect(propertiesOf(consumer)).toMatchObject({
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 2048,
      EphemeralStorage: { Size: 6 * 1024 },
    });
    const api = ofType('AWS::AppSync::GraphQLApi')[0]![0];
    const distribution = ofType('AWS::CloudFront::Distribution')[0]![0];
    const bucket = ofType('AWS::S3::Bucket')[0]![0];
    expect(environmentOf(consumer)).toMatchObject({
      PLAZA_DB: 'dynamodb',
      PLAZA_TABLE: { Ref: table },
      PLAZA_STORAGE: 's3',
      S3_BUCKET: { Ref: bucket },
      PLAZA_CDN_DISTRIBUTION_ID: { Ref: distribution },
      PLAZA_APPSYNC_API_ID: { 'Fn::GetAtt': [api, 'ApiId'] },
    });

    // Least privilege: what erasure and export each use, and nothing more. The table's items and
    // only the owner index, the named keys, one distribution, one API, its own dead-letter queue.
    const tableArn = { 'Fn::GetAtt': [table, 'Arn'] };
    const ownerIndex = { 'Fn::Join': ['', [tableArn, '/index/GSI1']] };
    const objects = (...keys: string[]) =>
      keys.map((key) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${key}`]] }));
    const stream = ['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'].map(
      (a) => `dynamodb:${a}`,
    );
    const deadLetterActions = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
    expect(actionsOf(consumer)).toEqual(
      [
        // Erasure: BatchWriteItem, DeleteItem, Query, UpdateItem; export: BatchGetItem, GetItem, Query, UpdateItem.
        ...['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'Query', 'Query', 'UpdateItem'].map(
          (a) => `dynamodb:${a}`,
        ),
        ...stream,
        ...deadLetterActions,
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        'cloudfront:CreateInvalidation',
        'appsync:FlushApiCache',
      ].sort(),
    );
    expect(resourcesOf(consumer, 'dynamodb:Query')).toEqual([tableArn, ownerIndex]);
    for (const action of ['GetItem', 'BatchGetItem', 'DeleteItem', 'BatchWriteItem', 'UpdateItem'])
      expect(resourcesOf(consumer, `dynamodb:${action}`)).toEqual([tableArn]);
    for (const action of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream'])
      expect(resourcesOf(consumer, action)).toEqual([{ 'Fn::GetAtt': [table, 'StreamArn'] }]);
    // Erasure reads (HEAD) and deletes media and zips; the export reads the originals (under the
    // same prefixes) and its zip, and writes and deletes nothing but zips.
    for (const action of ['s3:DeleteObject', 's3:GetObject'])
      expect(resourcesOf(consumer, action)).toEqual(objects('exports/*', 'stories/*', 'users/*'));
    expect(resourcesOf(consumer, 's3:PutObject')).toEqual(objects('exports/*'));
    expect(resourcesOf(consumer, 's3:ListBucket')).toEqual([{ 'Fn::GetAtt': [bucket, 'Arn'] }]);
    expect(resourcesOf(consumer, 'cloudfront:CreateInvalidation')).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:aws:cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distribution }],
        ],
      },
    ]);
    expect(resourcesOf(consumer, 'appsync:FlushApiCache')).toEqual([{ 'Fn::GetAtt': [api, 'Arn'] }]);
    for (const action of deadLetterActions)
      expect(resourcesOf(consumer, action)).toEqual([{ 'Fn::GetAtt': [queue, 'Arn'] }]);

    // Without an API cache there is nothing to flush: no API id, no grant.
    const uncached = synthesize({ apiCache: 'none' });
    const uncachedEnv = (
      uncached.template.toJSON().Resources[logicalId(uncached.stack, uncached.stack.lifecycle.consumer)]
        .Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(uncachedEnv).not.toHaveProperty('PLAZA_APPSYNC_API_ID');
    expect(JSON.stringify(uncached.template.toJSON())).not.toContain('appsync:FlushApiCache');
  });

  it('runs the image pipeline on each upload’s object-created event, and only on uploads', () => {
    const [notifications] = ofType('Custom::S3BucketNotifications');
    const configurations = (
      notifications![1].Properties.NotificationConfiguration as {
        LambdaFunctionConfigurations: {
          Events: string[];
          Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
          LambdaFunctionArn: unknown;
        }[];
      }
    ).LambdaFunctionConfigurations;
    const filters = configurations.map((c) =>
      Object.fromEntries(c.Filter.Key.FilterRules.map((rule) => [rule.Name, rule.Value])),
    );
    expect(filters).toEqual([
      { prefix: 'users/', suffix: '/original.jpg' },
      { prefix: 'users/', suffix: '/avatar.jpg' },
      { prefix: 'stories/', suffix: '/image.jpg' },
      // Amplify Storage's uploads (test/infra/storage-uploads.test.ts).
      { prefix: 'private/' },
      { prefix: 'users/', suffix: '/original.mp4' },
      { prefix: 'stories/', suffix: '/video.mp4' },
    ]);
    // Photos go to the sharp pipeline, clips to the one with ffmpeg.
    configurations.forEach((configuration, index) => {
      expect(configuration.Events).toEqual(['s3:ObjectCreated:*']);
      const fn = index < 4 ? stack.media.pipeline : stack.media.videoPipeline;
      expect(configuration.LambdaFunctionArn).toEqual({ 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] });
    });
    // Every original the domain makes is matched; no variant is.
    const matched = (key: string) =>
      filters.some((f) => key.startsWith(f.prefix!) && key.endsWith(f.suffix ?? ''));
    const folder = 'users/u1/posts/01KDHZ8Q0000000000000000AA';
    expect(matched(`${folder}/original.jpg`)).toBe(true);
    expect(matched(`${folder}/original.mp4`)).toBe(true);
    expect(matched('users/u1/profile/avatar.jpg')).toBe(true);
    for (const variant of ['300.jpg', '300.webp', 'thumbnail.jpg', 'medium.jpg', '720p.mp4', '360p.mp4']) {
      expect(matched(`${folder}/${variant}`)).toBe(false);
      expect(matched(`users/u1/profile/avatar-${variant}`)).toBe(false);
    }
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, stack.media.pipeline) },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [stack.getLogicalId(stack.media.deadLetters.node.defaultChild as never), 'Arn'],
          },
        },
      },
    });
  });

  it('runs the video pipeline in a Lambda container image with ffmpeg, its threads given cores', () => {
    const fn = resources[logicalId(stack, stack.media.videoPipeline)]!.Properties;
    expect(fn).toMatchObject({
      PackageType: 'Image',
      Architectures: ['x86_64'],
      MemorySize: 3008,
      Timeout: 600,
      EphemeralStorage: { Size: 2048 },
    });
    expect(fn.Runtime).toBeUndefined();
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({ PLAZA_DB: 'dynamodb', PLAZA_STORAGE: 's3', NODE_ENV: 'production' });
    // The image: AWS's Node.js base, the same handler bundled from these sources, ffmpeg and ffprobe.
    const dockerfile = readFileSync(join(repoRoot, 'infra/video-pipeline/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:20$/m);
    expect(dockerfile).toContain('src/bin/lambda/video-pipeline.ts');
    expect(dockerfile).toMatch(/COPY --from=ffmpeg \/ffmpeg \/ffprobe \/usr\/local\/bin\//);
    expect(dockerfile).toMatch(/CMD \["index\.handler"\]/);
    const images = Object.values(
      (
        JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
          dockerImages: Record<
            string,
            { source: { directory: string; dockerFile?: string; platform?: string } }
          >;
        }
      ).dockerImages,
    );
    expect(images.map((image) => [image.source.dockerFile, image.source.platform])).toEqual([
      ['infra/video-pipeline/Dockerfile', 'linux/amd64'],
    ]);
    // The photo pipeline's, but for Amplify Storage's uploads, which only the photo pipeline takes.
    expect([...actionsOf(stack.media.videoPipeline), 's3:DeleteObject', 's3:GetObject'].sort()).toEqual(
      actionsOf(stack.media.pipeline),
    );
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, stack.media.videoPipeline) },
      MaximumRetryAttempts: 2,
    });
  });

  it('exports the user pool weekly, on the backup plan’s schedule, to a private bucket kept as long as the backups', () => {
    const { exporter, bucket, schedule } = stack.userPoolExport;
    const userPool = stack.getLogicalId(stack.identity.userPool.node.defaultChild as never);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as never);
    const plan = ofType('AWS::Backup::BackupPlan')[0]![1].Properties.BackupPlan as {
      BackupPlanRule: { ScheduleExpression: string; Lifecycle: { DeleteAfterDays: number } }[];
    };
    const [weekly] = plan.BackupPlanRule;
    expect(weekly).toMatchObject({
      ScheduleExpression: 'cron(0 5 ? * SAT *)',
      Lifecycle: { DeleteAfterDays: 90 },
    });

    // The same cadence as the table's weekly backups, invoking the export Lambda.
    const rule = resources[stack.getLogicalId(schedule.node.defaultChild as never)]!.Properties;
    expect(rule).toMatchObject({
      ScheduleExpression: weekly!.ScheduleExpression,
      State: 'ENABLED',
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [logicalId(stack, exporter), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, exporter), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [stack.getLogicalId(schedule.node.defaultChild as never), 'Arn'] },
    });

    // A bucket of its own: private, encrypted, TLS only, no CloudFront; exports expire with the backups.
    const properties = resources[bucketId]!.Properties;
    expect(properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(properties.BucketEncryption).toBeDefined();
    expect((properties.LifecycleConfiguration as { Rules: unknown[] }).Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Id: 'user-pool-exports',
          Prefix: 'user-pool-exports/',
          ExpirationInDays: weekly!.Lifecycle.DeleteAfterDays,
          Status: 'Enabled',
        }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
    expect(JSON.stringify(ofType('AWS::CloudFront::Distribution'))).not.toContain(bucketId);
    expect(resources[bucketId]).toMatchObject({ DeletionPolicy: 'Retain' });

    // Least privilege: reading this pool's users, and writing exports under their prefix only.
    expect(actionsOf(exporter)).toEqual(
      [
        'cognito-idp:AdminGetUser',
        'cognito-idp:GetCSVHeader',
        'cognito-idp:ListUsers',
        's3:AbortMultipartUpload',
        's3:PutObject',
      ].sort(),
    );
    expect(resourcesOf(exporter, 'cognito-idp:ListUsers')).toEqual([{ 'Fn::GetAtt': [userPool, 'Arn'] }]);
    expect(resourcesOf(exporter, 's3:PutObject')).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/user-pool-exports/*']] },
    ]);

    // The environment the app's config reads: the pool and the bucket; no table.
    const variables = environmentOf(exporter);
    expect(variables).toMatchObject({
      COGNITO_USER_POOL_ID: { Ref: userPool },
      PLAZA_STORAGE: 's3',
      S3_BUCKET: { Ref: bucketId },
    });
    expect(variables).not.toHaveProperty('PLAZA_TABLE');
    const config = loadConfig(
      {
        ...(Object.fromEntries(Object.entries(variables).filter(([, v]) => typeof v === 'string')) as Record<
          string,
          string
        >),
        COGNITO_USER_POOL_ID: 'us-west-1_AbCdEfGhI',
        S3_BUCKET: 'plaza-dev-user-pool-exports',
        AWS_REGION: 'us-west-1',
      },
      repoRoot,
    );
    expect(config.identity.userPoolId).toBe('us-west-1_AbCdEfGhI');
    expect(config.storage).toMatchObject({ engine: 's3', s3: { bucket: 'plaza-dev-user-pool-exports' } });
    expect(propertiesOf(exporter)).toMatchObject({
      Timeout: 900,
      Runtime: 'nodejs20.x',
      Architectures: ['arm64'],
    });
  });

  it('gives the identity pool a guest and an authenticated role whose policies are Plaza’s own documents', () => {
    const pool = ofType('AWS::Cognito::IdentityPool');
    expect(pool).toHaveLength(1);
    expect(pool[0]![1].Properties).toMatchObject({
      AllowUnauthenticatedIdentities: true,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [
        {
          ClientId: { Ref: stack.getLogicalId(stack.identity.client.node.defaultChild as CfnElement) },
          ServerSideTokenCheck: false,
        },
      ],
    });
    const poolRef = { Ref: pool[0]![0] };
    const roleOf = (kind: RoleType) => stack.identityPool!.roles[kind];
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      IdentityPoolId: poolRef,
      Roles: {
        authenticated: {
          'Fn::GetAtt': [stack.getLogicalId(roleOf('authenticated').node.defaultChild as CfnElement), 'Arn'],
        },
        unauthenticated: {
          'Fn::GetAtt': [
            stack.getLogicalId(roleOf('unauthenticated').node.defaultChild as CfnElement),
            'Arn',
          ],
        },
      },
    });
    const documents = identityPoolPolicies({
      graphqlApiArn: stack.api.api.arn,
      bucketArn: stack.media.bucket.bucketArn,
    });
    // CDK lists a statement's actions and resources in its own order; the sets are what count.
    const normalized = (document: unknown) =>
      (document as { Statement: Record<string, unknown>[] }).Statement.map((statement) =>
        Object.fromEntries(
          Object.entries(statement).map(([key, value]) => [
            key,
            Array.isArray(value) ? value.map((item) => JSON.stringify(item)).sort() : value,
          ]),
        ),
      );
    for (const kind of ['authenticated', 'unauthenticated'] as const) {
      const role = resources[stack.getLogicalId(roleOf(kind).node.defaultChild as CfnElement)]!.Properties;
      expect(role.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: 'cognito-identity.amazonaws.com' },
            Condition: {
              StringEquals: { 'cognito-identity.amazonaws.com:aud': poolRef },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind },
            },
          },
        ],
      });
      // The very statements Plaza evaluates locally, about this stack's API and bucket.
      const policies = role.Policies as { PolicyDocument: unknown }[];
      expect(policies.map((policy) => normalized(policy.PolicyDocument))).toEqual([
        normalized(stack.resolve(documents[kind])),
      ]);
    }
  });

  it('refuses context it cannot honour', () => {
    expect(() => synthesize({ stage: 'Not A Stage' })).toThrow(/stage/);
    expect(() => synthesize({ mediaDomainName: 'media.example.com' })).toThrow(/mediaCertificateArn/);
    expect(() => synthesize({ lambdaRuntime: 'nodejs16.x' })).toThrow(/lambdaRuntime/);
    const dir = mkdtempSync(join(tmpdir(), 'plaza-cdk-trigger-'));
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ userPool: { triggers: { preSignUp: dir } } }),
    );
    expect(() => synthesize({ config: join(dir, 'plaza.config.json') })).toThrow(/inside the repository/);
  });
});

describe('the audit log (issue 22, ADR 0010)', () => {
  it('is a bucket with Object Lock in compliance mode, versioned, private and kept with the stack gone', () => {
    const bucketId = stack.getLogicalId(stack.auditLog.bucket.node.defaultChild as CfnBucket);
    expect(resources[bucketId]).toMatchObject({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      Properties: {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: auditRetentionDays } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
    });
  });

  it("is written by the feed fan-out's Lambda, the stream's second reader staying the data lifecycle's", () => {
    const bucketId = stack.getLogicalId(stack.auditLog.bucket.node.defaultChild as CfnBucket);
    expect(environmentOf(stack.feed.fanOut).PLAZA_AUDIT_BUCKET).toEqual({ Ref: bucketId });
    expect(actionsOf(stack.feed.fanOut)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    expect(actionsOf(stack.feed.fanOut)).not.toContain('s3:DeleteObject');
    expect(JSON.stringify(resourcesOf(stack.feed.fanOut, 's3:PutObject'))).toContain(`${bucketId}`);
    expect(JSON.stringify(resourcesOf(stack.feed.fanOut, 's3:PutObject'))).toContain('/audit/*');
    expect(JSON.stringify(statementsOf(stack.lifecycle.consumer))).not.toContain(bucketId);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
      JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'),
    );
    expect(mappings).toHaveLength(2);
  });

  it("passes the fan-out's Lambda the changes the audit log records", () => {
    const record = (eventName: string, keys: { PK: string; SK: string }, newImage?: object) => ({
      eventName,
      dynamodb: {
        Keys: { PK: { S: keys.PK }, SK: { S: keys.SK } },
        ...(newImage ? { NewImage: newImage } : {}),
      },
    });
    const audited = { audit: { M: { action: { S: 'report.resolved' } } } };
    expect(
      eventFiltersPass(feedFanOutFilterPatterns, record('REMOVE', { PK: 'USER#u1', SK: 'PROFILE' })),
    ).toBe(true);
    expect(
      eventFiltersPass(feedFanOutFilterPatterns, record('REMOVE', { PK: 'POST#p1', SK: 'METADATA' })),
    ).toBe(true);
    expect(
      eventFiltersPass(
        feedFanOutFilterPatterns,
        record('MODIFY', { PK: 'REPORT#r1', SK: 'REPORT' }, audited),
      ),
    ).toBe(true);
    expect(
      eventFiltersPass(feedFanOutFilterPatterns, record('MODIFY', { PK: 'USER#u1', SK: 'PROFILE' }, {})),
    ).toBe(false);
    expect(feedFanOutFilterPatterns.length).toBeLessThanOrEqual(5);
  });
});
