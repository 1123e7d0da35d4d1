import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../ports/identity-verifier.ts';
import { appSyncPrelude } from './appsync-prelude.ts';
import { authModes } from './auth-modes.ts';

const schema = buildSchema(
  appSyncPrelude +
    /* GraphQL */ `
      type Query {
        open: String
        reports: [Report] @aws_cognito_user_pools(cognito_groups: ["moderators", "admins"])
        audit: String @aws_auth(cognito_groups: ["admins"])
        publicOrModerators: String @aws_api_key @aws_cognito_user_pools(cognito_groups: ["moderators"])
        anyUser: String @aws_cognito_user_pools
      }
      type Report @aws_cognito_user_pools(cognito_groups: ["moderators"]) {
        id: ID
        note: String @aws_cognito_user_pools
      }
    `,
);

const user = (groups?: unknown): Caller => ({
  kind: 'user',
  sub: 'sub-1',
  username: 'sub-1',
  tokenUse: 'access',
  claims: groups === undefined ? {} : { 'cognito:groups': groups },
});
const apiKey: Caller = { kind: 'apiKey', keyId: 'key-1' };

describe('AppSync auth directives with cognito_groups', () => {
  const modes = authModes(schema);
  const refused = (query: string, caller: Caller) => modes.refused(parse(query), caller);

  it('lets in users of a named group, and refuses the others', () => {
    expect(refused('{ reports { id } }', user(['moderators']))).toEqual([]);
    // Report's own groups hold for its fields.
    expect(refused('{ reports { id } }', user(['admins', 'other']))).toEqual(['Report.id']);
    expect(refused('{ reports { id } }', user(['other']))).toEqual(['Query.reports', 'Report.id']);
    expect(refused('{ reports { id } }', user())).toEqual(['Query.reports', 'Report.id']);
    expect(refused('{ reports { id } }', user('moderators'))).toEqual(['Query.reports', 'Report.id']);
  });

  it('honours @aws_auth as AppSync does', () => {
    expect(refused('{ audit }', user(['admins']))).toEqual([]);
    expect(refused('{ audit }', user(['moderators']))).toEqual(['Query.audit']);
  });

  it('applies a type’s groups to its fields without directives of their own', () => {
    const query = '{ reports { id note } }';
    expect(refused(query, user(['admins']))).toEqual(['Report.id']);
    expect(refused(query, user(['moderators']))).toEqual([]);
  });

  it('leaves fields without groups to every user, and other modes as they were', () => {
    expect(refused('{ open anyUser }', user())).toEqual([]);
    expect(refused('{ publicOrModerators }', apiKey)).toEqual([]);
    expect(refused('{ publicOrModerators }', user([]))).toEqual(['Query.publicOrModerators']);
    expect(refused('{ reports { id } }', apiKey)).toEqual(['Query.reports', 'Report.id']);
  });
});

describe('AppSync’s AWS_IAM mode', () => {
  const iamSchema = buildSchema(
    appSyncPrelude +
      /* GraphQL */ `
        type Query {
          recent: [Item] @aws_iam @aws_api_key
          mine: [Item]
        }
        type Mutation {
          write: Item @aws_iam
        }
        type Item @aws_iam @aws_cognito_user_pools {
          id: ID
          secret: String @aws_cognito_user_pools
        }
      `,
  );
  const guest: Caller = { kind: 'iam', identityId: 'us-west-1:g', role: 'unauthenticated', accessKeyId: 'A' };
  // A role that may run Query.recent only, as a guest policy allows public queries only.
  const modes = authModes(iamSchema, { iamAllows: (_caller, coordinate) => coordinate === 'Query.recent' });
  const refused = (query: string) => modes.refused(parse(query), guest);

  it('lets IAM callers into @aws_iam fields their role’s policy allows', () => {
    expect(refused('{ recent { id } }')).toEqual([]);
  });

  it('refuses fields without @aws_iam, and top-level fields the policy does not allow', () => {
    expect(refused('{ recent { id secret } }')).toEqual(['Item.secret']);
    expect(refused('{ mine { id } }')).toEqual(['Query.mine']);
    expect(refused('mutation { write { id } }')).toEqual(['Mutation.write']);
    expect(authModes(iamSchema).refused(parse('{ recent { id } }'), guest)).toEqual(['Query.recent']);
  });
});
