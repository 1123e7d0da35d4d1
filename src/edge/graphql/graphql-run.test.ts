import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Log } from '../../platform/logger.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import { authModes, type AuthModes } from './auth-modes.ts';
import type { GraphQLServices } from './context.ts';
import { executableSchema } from './executable-schema.ts';
import { graphqlEngine } from './graphql-engine.ts';
import { runGraphQL, type RunOptions } from './graphql-run.ts';

const schema = executableSchema();
// Every request here is answered before a resolver runs, so no service is reached.
const options: RunOptions = {
  graphql: graphqlEngine(schema, false),
  modes: authModes(schema),
  services: {} as GraphQLServices,
  timeoutMs: 1000,
};
const apiKey: Caller = { kind: 'apiKey', keyId: 'k1' };
const log = { error: () => undefined } as unknown as Log;
const run = (body: unknown, readOnly = false) => runGraphQL(options, apiKey, body, readOnly, log);

describe('one GraphQL request', () => {
  it('refuses a body that is not one request with a query and object variables', async () => {
    for (const [body, message] of [
      [[{ query: '{ me { id } }' }], 'Send one GraphQL request as a JSON object'],
      [{ query: '' }, 'The request has no query'],
      [{ query: '{ me { id } }', variables: [1] }, 'variables must be an object'],
    ] as const) {
      const outcome = await run(body);
      expect(outcome.status).toBe(400);
      expect(outcome.body.errors?.[0]).toMatchObject({ errorType: 'BadRequestException', message });
    }
  });

  it('answers a syntax error or an unknown field with 400 before anything runs', async () => {
    const syntax = await run({ query: '{ me { ' });
    expect(syntax).toMatchObject({ status: 400, operation: 'invalid' });
    const unknown = await run({ query: 'query Mine { me { nope } }' });
    expect(unknown).toMatchObject({ status: 400, operation: 'Mine' });
    expect(unknown.body.errors?.[0]?.errorType).toBe('ValidationError');
  });

  it('lets GET only read', async () => {
    const outcome = await run({ query: 'mutation { deletePost(id: "p1") { id } }' }, true);
    expect(outcome).toMatchObject({ status: 405, operation: 'deletePost' });
    expect(outcome.body.errors?.[0]?.message).toBe('A mutation needs POST');
  });

  it("refuses fields the caller's auth mode may not read, naming each", async () => {
    const outcome = await run({ query: '{ me { id } }' });
    expect(outcome).toMatchObject({ status: 200, operation: 'me', body: { data: null } });
    expect(outcome.body.errors?.map((error) => error.message)).toEqual([
      'Not Authorized to access me on type Query',
    ]);
  });
});

describe('the request time limit', () => {
  // A schema of its own: one field answers later, one never; the caller may read both.
  const waiting = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        later: {
          type: GraphQLString,
          resolve: () => new Promise((resolve) => setTimeout(() => resolve('done'), 5)),
        },
        never: { type: GraphQLString, resolve: () => new Promise(() => undefined) },
      },
    }),
  });
  const limited: RunOptions = {
    graphql: graphqlEngine(waiting, false),
    modes: { refused: () => [] } as unknown as AuthModes,
    services: {} as GraphQLServices,
    timeoutMs: 50,
  };

  it('answers what comes in time, and fails what does not with InternalFailure', async () => {
    const answered = await runGraphQL(limited, apiKey, { query: '{ later }' }, false, log);
    expect(answered).toMatchObject({ status: 200, body: { data: { later: 'done' } } });
    const started = performance.now();
    await expect(runGraphQL(limited, apiKey, { query: '{ never }' }, false, log)).rejects.toMatchObject({
      code: 'InternalFailure',
      message: 'Request timed out',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
