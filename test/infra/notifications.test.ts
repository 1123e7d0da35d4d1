/**
 * onNotification on AWS (issue 20): AppSync subscriptions fire on mutations only, so the fan-out's
 * stream Lambda publishes each notification through the internal publishNotification, which only
 * its IAM role may call; subscribers get their own alone (the filter pins the recipient to the
 * caller's sub: plaza-stack.test.ts). What AppSync itself does with them needs an AWS account.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import {
  buildSchema,
  getNamedType,
  isObjectType,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { feedFanOutFilterPatterns } from '../../infra/lib/feed-stream-filters.ts';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { repoRoot } from '../../infra/lib/settings.ts';
import { publishNotificationDocument } from '../../src/adapters/appsync/appsync-notification-publisher.ts';
import { evaluatePolicies } from '../../src/domain/identity-pools/evaluate-policy.ts';
import { identityPoolPolicies } from '../../src/domain/identity-pools/policies.ts';
import { appSyncPrelude } from '../../src/edge/graphql/appsync-prelude.ts';
import { eventFiltersPass } from '../support/event-filters.ts';
import { synthesize, resourcesOf, type Resource } from './synth.ts';

const schemaSource = readFileSync(join(repoRoot, 'src/edge/graphql/schema.graphql'), 'utf8');
const schema = buildSchema(appSyncPrelude + schemaSource);

let stack: PlazaStack;
let template: Template;
let resources: Record<string, Resource>;
beforeAll(() => {
  ({ stack, template } = synthesize());
  resources = resourcesOf(template);
});

const authDirectives = (directives: readonly ConstDirectiveNode[] | undefined) =>
  (directives ?? [])
    .map((d) => d.name.value)
    .filter((name) => name.startsWith('aws_') && name !== 'aws_subscribe');

/** The auth directives that rule a field, as AppSync reads them: its own, else its type's, else the default mode. */
function modesOf(typeName: string, fieldName: string): string[] {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const own = authDirectives(type.getFields()[fieldName]?.astNode?.directives);
  if (own.length > 0) return own;
  const inherited = authDirectives(type.astNode?.directives);
  return inherited.length > 0 ? inherited : ['aws_cognito_user_pools'];
}

/** Every field a document selects, as "Type.field". */
function selected(target: GraphQLSchema, document: string): string[] {
  const fields: string[] = [];
  const typeInfo = new TypeInfo(target);
  visit(
    parse(document),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent) fields.push(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return fields;
}

describe('onNotification on AppSync', () => {
  it('binds onNotification to publishNotification, a mutation for AWS_IAM alone', () => {
    const subscription = schema.getSubscriptionType()!.getFields().onNotification!;
    const subscribe = subscription.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
    expect(subscribe?.arguments?.[0]?.value).toMatchObject({
      values: [{ value: 'publishNotification' }],
    });
    // Users subscribe with their pool token; only IAM principals reach the mutation (no token, no key).
    expect(modesOf('Subscription', 'onNotification')).toEqual(['aws_cognito_user_pools']);
    expect(modesOf('Mutation', 'publishNotification')).toEqual(['aws_iam']);
    expect(getNamedType(schema.getMutationType()!.getFields().publishNotification!.type).name).toBe(
      'Notification',
    );
  });

  it('publishes a valid document whose every field an IAM caller may read, covering what the web app subscribes to', () => {
    expect(validate(schema, parse(publishNotificationDocument))).toEqual([]);
    const fields = selected(schema, publishNotificationDocument);
    const refused = fields.filter((coordinate) => {
      const [type, field] = coordinate.split('.') as [string, string];
      return !modesOf(type, field).includes('aws_iam');
    });
    expect(refused).toEqual([]);
    // A subscriber gets the fields the mutation selected: the web app's bell asks for these.
    const webDocuments = readFileSync(join(repoRoot, 'web/src/api/documents.ts'), 'utf8');
    const onNotification = /onNotificationSubscription = `([^`]+)`/.exec(webDocuments)?.[1];
    const wanted = selected(schema, onNotification!).filter((c) => c.startsWith('Notification.'));
    expect(wanted.length).toBeGreaterThan(0);
    expect(fields).toEqual(expect.arrayContaining(wanted));
  });

  it('lets only the fan-out Lambda’s role call publishNotification, and tells it where', () => {
    const fanOutId = stack.getLogicalId(stack.feed.fanOut.node.defaultChild as CfnFunction);
    const fanOutRole = (resources[fanOutId]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const apiId = stack.getLogicalId(stack.api.api.node.defaultChild as CfnElement);
    // Every statement in the stack that could let a principal run a GraphQL field.
    const graphqlStatements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) =>
        (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.filter(
          (s) => [s.Action].flat().some((action) => ['appsync:GraphQL', 'appsync:*', '*'].includes(action)),
        ).map((statement) => ({ roles: r.Properties.Roles, statement })),
      );
    expect(graphqlStatements).toEqual([
      {
        roles: [{ Ref: fanOutRole }],
        statement: expect.objectContaining({
          Action: 'appsync:GraphQL',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:aws:appsync:us-west-1:',
                { Ref: 'AWS::AccountId' },
                ':apis/',
                { 'Fn::GetAtt': [apiId, 'ApiId'] },
                '/types/Mutation/fields/publishNotification',
              ],
            ],
          },
        }),
      },
    ]);
    const env = (resources[fanOutId]!.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.PLAZA_APPSYNC_URL).toEqual({ 'Fn::GetAtt': [apiId, 'GraphQLUrl'] });
    // The identity pool's roles (guests and signed-in identities) are refused it by their own documents.
    const graphqlApiArn = 'arn:aws:appsync:us-west-1:123456789012:apis/abc';
    const documents = identityPoolPolicies({ graphqlApiArn, bucketArn: 'arn:aws:s3:::media' });
    for (const document of Object.values(documents)) {
      expect(
        evaluatePolicies([document], {
          action: 'appsync:GraphQL',
          resource: `${graphqlApiArn}/types/Mutation/fields/publishNotification`,
          context: { 'cognito-identity.amazonaws.com:sub': 'us-west-1:guest' },
        }),
      ).not.toBe('Allow');
    }
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AdditionalAuthenticationProviders: [
        { AuthenticationType: 'API_KEY' },
        { AuthenticationType: 'AWS_IAM' },
      ],
    });
  });

  it('passes the fan-out’s Lambda the notifications written or moved up, not those taken back', () => {
    const record = (eventName: string) => ({
      eventName,
      dynamodb: { Keys: { PK: { S: 'USER#u1' }, SK: { S: 'NOTIF#FOLLOW#u2' } } },
    });
    expect(eventFiltersPass(feedFanOutFilterPatterns, record('INSERT'))).toBe(true);
    expect(eventFiltersPass(feedFanOutFilterPatterns, record('MODIFY'))).toBe(true);
    expect(eventFiltersPass(feedFanOutFilterPatterns, record('REMOVE'))).toBe(false);
    // Lambda takes five filters on an event source mapping.
    expect(feedFanOutFilterPatterns.length).toBeLessThanOrEqual(5);
  });
});
