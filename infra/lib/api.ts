/**
 * AppSync from the same schema.graphql the local server serves: Cognito user
 * pools as the default auth mode and API keys for public reads, one Direct
 * Lambda resolver (Plaza's resolver code) for every Query and Mutation field,
 * per-resolver caching for the configured fields, and subscriptions bound by
 * @aws_subscribe with their argument filters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, Expiration } from 'aws-cdk-lib';
import {
  AuthorizationType,
  CfnApiCache,
  Code,
  Definition,
  FieldLogLevel,
  FunctionRuntime,
  GraphqlApi,
  IntrospectionConfig,
} from 'aws-cdk-lib/aws-appsync';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { buildSchema, getNamedType, type GraphQLObjectType } from 'graphql';
import { appSyncPrelude } from '../../src/edge/graphql/appsync-prelude.ts';
import { appSyncDialectProblems } from './appsync-dialect.ts';
import type { PlazaTable } from './data.ts';
import type { PlazaMedia } from './media.ts';
import { plazaFunction } from './plaza-function.ts';
import type { PlazaSettings } from './settings.ts';

export const schemaFile = 'src/edge/graphql/schema.graphql';

/** The local server allows a depth of 8 (graphql-armor); AppSync enforces the same. */
const queryDepthLimit = 8;

/**
 * Enhanced subscription filters: a subscription's arguments select events by the fields of the
 * mutation's result (onLikePost's postId is the liked Post's id).
 */
const subscriptionFilters: Record<string, Record<string, string>> = {
  onCreatePost: { authorId: 'authorId' },
  onAddComment: { postId: 'postId' },
  onLikePost: { postId: 'id' },
  onNotification: {},
};

/** Subscriptions that deliver a user's own events only: the result's field that must be the caller's sub. */
const callerFilters: Record<string, string> = {
  onNotification: 'recipientId',
};

function subscriptionFilterCode(filters: Record<string, string>, callerField?: string): string {
  const conditions = [
    ...Object.entries(filters).map(
      ([argument, field]) =>
        `  if (ctx.args.${argument} != null) filter.${field} = { eq: ctx.args.${argument} };`,
    ),
    ...(callerField ? [`  filter.${callerField} = { eq: ctx.identity.sub };`] : []),
  ].join('\n');
  return [
    "import { util, extensions } from '@aws-appsync/utils';",
    'export function request() {',
    '  return { payload: null };',
    '}',
    'export function response(ctx) {',
    '  const filter = {};',
    conditions,
    '  if (Object.keys(filter).length > 0) {',
    '    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));',
    '  }',
    '  return null;',
    '}',
    '',
  ].join('\n');
}

export class PlazaApi extends Construct {
  readonly api: GraphqlApi;
  readonly resolverFunction: NodejsFunction;
  readonly nextTokenKey: Secret;
  /** AppSync's server-side cache; undefined when no field is cached (`-c apiCache=none`). */
  readonly cache: CfnApiCache | undefined;

  constructor(
    scope: Construct,
    id: string,
    props: {
      settings: PlazaSettings;
      table: PlazaTable;
      userPool: UserPool;
      client: UserPoolClient;
      media: PlazaMedia;
    },
  ) {
    super(scope, id);
    const { settings } = props;
    const source = readFileSync(join(import.meta.dirname, '../..', schemaFile), 'utf8');
    const problems = appSyncDialectProblems(source, ['AMAZON_COGNITO_USER_POOLS', 'API_KEY', 'AWS_IAM']);
    if (problems.length > 0)
      throw new Error(`${schemaFile} is not valid for AppSync:\n  ${problems.join('\n  ')}`);
    const schema = buildSchema(appSyncPrelude + source);
    const rootTypes = [schema.getQueryType(), schema.getMutationType()].filter(
      (type): type is GraphQLObjectType => type !== undefined && type !== null,
    );

    this.nextTokenKey = new Secret(this, 'NextTokenKey', {
      description: 'Signs GraphQL nextTokens (shared by every resolver instance)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    this.resolverFunction = plazaFunction(this, 'Resolver', {
      entry: 'src/bin/lambda/graphql.ts',
      runtime: settings.lambdaRuntime,
      description: 'AppSync Direct Lambda resolver for every Query and Mutation field',
      environment: {
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: props.table.table.tableName,
        PLAZA_IDENTITY: 'cognito',
        COGNITO_USER_POOL_ID: props.userPool.userPoolId,
        COGNITO_CLIENT_ID: props.client.userPoolClientId,
        PLAZA_NEXT_TOKEN_SECRET_ARN: this.nextTokenKey.secretArn,
        PLAZA_STORAGE: 's3',
        S3_BUCKET: props.media.bucket.bucketName,
        PLAZA_CDN_URL: props.media.url,
        PLAZA_CDN_KEY_PAIR_ID: props.media.publicKey.publicKeyId,
        PLAZA_CDN_SIGNING_KEY_SECRET_ARN: props.media.signingKey.secretArn,
        // Per-user write limits, as the config file's social.writesPerMinute sets them locally.
        PLAZA_WRITES_PER_MINUTE: Object.entries(settings.writesPerMinute)
          .map(([kind, count]) => `${kind}=${count}`)
          .join(','),
      },
      memorySize: 1024,
      timeout: Duration.seconds(10),
      assets: [schemaFile],
    });
    props.table.grantItems(
      this.resolverFunction,
      'GetItem',
      'BatchGetItem',
      'Query',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchWriteItem',
      'ConditionCheckItem',
    );
    this.nextTokenKey.grantRead(this.resolverFunction);
    // deleteMyAccount removes the caller from the pool (and so revokes their tokens); a moderator's
    // SUSPEND_USER disables the reported user and signs them out everywhere. No other admin call.
    props.userPool.grant(
      this.resolverFunction,
      'cognito-idp:AdminDeleteUser',
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminUserGlobalSignOut',
    );
    props.media.signingKey.grantRead(this.resolverFunction);
    // Presigned PUTs carry the role's authority; HEAD (GetObject) checks an upload has arrived.
    props.media.grantMedia(this.resolverFunction, 's3:GetObject', 's3:PutObject');

    this.api = new GraphqlApi(this, 'Api', {
      name: `plaza-${settings.stage}`,
      definition: Definition.fromFile(join(import.meta.dirname, '../..', schemaFile)),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: AuthorizationType.USER_POOL,
          userPoolConfig: { userPool: props.userPool },
        },
        additionalAuthorizationModes: [
          {
            authorizationType: AuthorizationType.API_KEY,
            apiKeyConfig: {
              name: 'public',
              description: 'Public, read-only access (renewed for a year by each deployment)',
              expires: Expiration.after(Duration.days(365)),
            },
          },
          // The identity pool's credentials (guests browse) and the notifications consumer's role
          // (publishNotification), each within its role's policy.
          { authorizationType: AuthorizationType.IAM },
        ],
      },
      logConfig: { fieldLogLevel: FieldLogLevel.ERROR, retention: RetentionDays.ONE_MONTH },
      queryDepthLimit,
      // As the local server: no introspection in production.
      introspectionConfig:
        settings.stage === 'prod' ? IntrospectionConfig.DISABLED : IntrospectionConfig.ENABLED,
      ...(settings.apiDomain
        ? {
            domainName: {
              domainName: settings.apiDomain.domainName,
              certificate: Certificate.fromCertificateArn(
                this,
                'Certificate',
                settings.apiDomain.certificateArn,
              ),
            },
          }
        : {}),
    });

    // AppSync caches what a resolver returns, and the Lambda's answers hold viewer-specific
    // fields (viewerHasLiked, email), so every cached answer is also keyed by the caller.
    const cachedFields = settings.apiCache === 'none' ? [] : Object.keys(settings.caching);
    const rootFields = new Set(
      rootTypes.flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`)),
    );
    for (const field of cachedFields.filter((name) => !rootFields.has(name))) {
      Annotations.of(this).addWarning(
        `caching.fields names ${field}, which AppSync resolves inside its parent's Lambda result; only Query and Mutation fields are cached on AWS`,
      );
    }
    const cached = cachedFields.filter((name) => rootFields.has(name));
    this.cache =
      cached.length === 0
        ? undefined
        : new CfnApiCache(this, 'Cache', {
            apiId: this.api.apiId,
            apiCachingBehavior: 'PER_RESOLVER_CACHING',
            type: settings.apiCache,
            ttl: Math.max(...cached.map((name) => settings.caching[name]!.ttlSeconds)),
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
          });
    const { cache } = this;
    this.resolverFunction.addEnvironment('PLAZA_APPSYNC_CACHED_FIELDS', cached.join(','));

    const resolvers = this.api.addLambdaDataSource('Plaza', this.resolverFunction, {
      description: "Plaza's resolvers",
    });
    for (const type of rootTypes) {
      for (const field of Object.values(type.getFields())) {
        const name = `${type.name}.${field.name}`;
        const rule = cache && cached.includes(name) ? settings.caching[name] : undefined;
        const resolver = resolvers.createResolver(
          `${type.name}${field.name[0]?.toUpperCase()}${field.name.slice(1)}`,
          {
            typeName: type.name,
            fieldName: field.name,
            ...(rule
              ? {
                  cachingConfig: {
                    ttl: Duration.seconds(rule.ttlSeconds),
                    cachingKeys: [
                      ...new Set([
                        '$context.identity.sub',
                        ...rule.keys.map((key) =>
                          key.replace(/^\$ctx\./, '$context.').replace('.args.', '.arguments.'),
                        ),
                      ]),
                    ],
                  },
                }
              : {}),
          },
        );
        if (rule && cache) resolver.node.addDependency(cache);
      }
    }

    const subscriptions = schema.getSubscriptionType();
    if (subscriptions) {
      const none = this.api.addNoneDataSource('Subscriptions', { description: 'Subscription filters' });
      for (const field of Object.values(subscriptions.getFields())) {
        const filters = subscriptionFilters[field.name];
        if (!filters) throw new Error(`Subscription.${field.name} has no filter mapping in infra/lib/api.ts`);
        const resultFields = (getNamedType(field.type) as GraphQLObjectType).getFields();
        for (const [argument, resultField] of Object.entries(filters)) {
          if (!field.args.some((arg) => arg.name === argument) || !(resultField in resultFields)) {
            throw new Error(
              `Subscription.${field.name}: cannot filter ${resultField} by argument ${argument}`,
            );
          }
        }
        none.createResolver(`Subscription${field.name[0]?.toUpperCase()}${field.name.slice(1)}`, {
          typeName: 'Subscription',
          fieldName: field.name,
          runtime: FunctionRuntime.JS_1_0_0,
          code: Code.fromInline(subscriptionFilterCode(filters, callerFilters[field.name])),
        });
      }
    }
  }
}
