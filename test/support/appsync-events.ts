/** AppSync's Direct Lambda events for the Lambda tests, built from the recorded createPost event. */
import { readFileSync } from 'node:fs';
import type { DirectLambdaEvent } from '../../src/edge/graphql/appsync-direct-lambda.ts';

/** A recorded event from test/lambda/events. */
export const lambdaFixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../lambda/events/${name}.json`, import.meta.url), 'utf8')) as T;

/** AppSync's Direct Lambda event for one field, as the user `sub` (null: an API key) asks it. */
export function appSyncEvent(
  parentTypeName: string,
  fieldName: string,
  args: Record<string, unknown> | null,
  selectionSetGraphQL: string,
  sub: string | null,
  source: Record<string, unknown> | null = null,
): DirectLambdaEvent {
  const recorded = lambdaFixture<DirectLambdaEvent>('appsync-create-post');
  const identity = sub
    ? {
        ...recorded.identity,
        sub,
        username: sub,
        claims: { ...(recorded.identity as { claims: object }).claims, sub, username: sub },
      }
    : null;
  return {
    ...recorded,
    arguments: args,
    identity: identity as DirectLambdaEvent['identity'],
    source,
    info: {
      ...recorded.info,
      parentTypeName,
      fieldName,
      selectionSetGraphQL,
      selectionSetList: [],
      variables: {},
    },
  };
}
