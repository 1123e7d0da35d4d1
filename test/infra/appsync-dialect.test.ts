/** schema.graphql in AppSync's dialect: what AppSync would refuse at deployment is refused here. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appSyncDialectProblems } from '../../infra/lib/appsync-dialect.ts';

const modes = ['AMAZON_COGNITO_USER_POOLS', 'API_KEY'];
const schemaFile = readFileSync(new URL('../../src/edge/graphql/schema.graphql', import.meta.url), 'utf8');

const base = `
  type Post @aws_api_key { id: ID! at: AWSDateTime }
  type Query { getPost(id: ID!): Post }
  type Mutation { createPost(text: String): Post }
`;

describe("AppSync's schema dialect", () => {
  it('accepts Plaza’s schema file with the API’s auth modes', () => {
    // The identity pool's credentials (AWS_IAM) are the API's third mode.
    expect(appSyncDialectProblems(schemaFile, [...modes, 'AWS_IAM'])).toEqual([]);
  });

  it('refuses declared scalars and directives, AppSync’s own included', () => {
    expect(appSyncDialectProblems(`scalar AWSDateTime\n${base}`, modes)).toEqual([
      "declares AppSync's own scalar AWSDateTime",
    ]);
    expect(appSyncDialectProblems(`scalar Upload\n${base}`, modes)).toEqual([
      'declares scalar Upload: AppSync allows only its own scalars',
    ]);
    expect(appSyncDialectProblems(`directive @auth on FIELD_DEFINITION\n${base}`, modes)).toEqual([
      'declares directive @auth: AppSync allows only its own directives',
    ]);
  });

  it('refuses directives AppSync does not know, and auth modes the API does not enable', () => {
    expect(appSyncDialectProblems(base.replace('@aws_api_key', '@public'), modes)).toEqual([
      'Post: @public is not an AppSync directive',
    ]);
    expect(appSyncDialectProblems(base.replace('@aws_api_key', '@aws_iam'), modes)).toEqual([
      'Post: @aws_iam names AWS_IAM, which the API does not enable',
    ]);
    expect(appSyncDialectProblems(base, ['AMAZON_COGNITO_USER_POOLS'])).toEqual([
      'Post: @aws_api_key names API_KEY, which the API does not enable',
    ]);
  });

  it('checks that each @aws_subscribe names mutations returning its type', () => {
    const subscription = (field: string) =>
      `${base}\ntype Comment { id: ID! }\ntype Subscription { ${field} }`;
    expect(
      appSyncDialectProblems(subscription('on: Post @aws_subscribe(mutations: ["createPost"])'), modes),
    ).toEqual([]);
    expect(
      appSyncDialectProblems(subscription('on: Post @aws_subscribe(mutations: ["deletePost"])'), modes),
    ).toEqual(['Subscription.on: @aws_subscribe names deletePost, which is not a mutation']);
    expect(
      appSyncDialectProblems(subscription('on: Comment @aws_subscribe(mutations: ["createPost"])'), modes),
    ).toEqual(['Subscription.on: returns Comment but createPost returns Post']);
    expect(appSyncDialectProblems(subscription('on: Post @aws_subscribe(mutations: [])'), modes)).toEqual([
      'Subscription.on: @aws_subscribe names no mutations',
    ]);
    expect(
      appSyncDialectProblems(
        base.replace(
          'getPost(id: ID!): Post',
          'getPost(id: ID!): Post @aws_subscribe(mutations: ["createPost"])',
        ),
        modes,
      ),
    ).toEqual(['Query.getPost: @aws_subscribe belongs on a Subscription field']);
  });

  it('refuses scalars AppSync does not define and schemas that do not build', () => {
    expect(appSyncDialectProblems(base.replace('AWSDateTime', 'DateTime'), modes)).toEqual([
      'Unknown type "DateTime". Did you mean "AWSDateTime" or "AWSTime"?',
    ]);
    expect(appSyncDialectProblems(base.replace('AWSDateTime', 'AWSPhone'), modes)).toEqual([]);
    expect(appSyncDialectProblems('type Query {', modes)[0]).toMatch(/^does not parse/);
  });
});
