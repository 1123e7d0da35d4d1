import { describe, expect, it } from 'vitest';
import { rejectionMessage } from '../../../test/support/fails-with.ts';
import type { IdentityServices } from './model.ts';
import {
  groupClaims,
  runPreSignUp,
  runPreTokenGeneration,
  type PreSignUpEvent,
  type PreTokenGenerationEvent,
  type Triggers,
} from './triggers.ts';

const pool = { userPoolId: 'eu-west-1_Pool12345', clientId: 'client0001' } as IdentityServices['pool'];
const services = (triggers?: Triggers) => ({ pool, ...(triggers ? { triggers } : {}) });
const groups = {
  groups: ['moderators'],
  roles: ['arn:aws:iam::1:role/mod'],
  preferredRole: 'arn:aws:iam::1:role/mod',
};
const noGroups = { groups: [], roles: [], preferredRole: undefined };

describe('groupClaims', () => {
  it('names the groups in both tokens, the roles in the ID token only, and nothing for no group', () => {
    expect(groupClaims(groups, 'access')).toEqual({ 'cognito:groups': ['moderators'] });
    expect(groupClaims(groups, 'id')).toEqual({
      'cognito:groups': ['moderators'],
      'cognito:roles': ['arn:aws:iam::1:role/mod'],
      'cognito:preferred_role': 'arn:aws:iam::1:role/mod',
    });
    expect(groupClaims(noGroups, 'id')).toEqual({});
  });
});

describe('runPreSignUp', () => {
  it("confirms nothing without a trigger, and passes the trigger Cognito's event", async () => {
    expect(await runPreSignUp('ada', { email: 'ada@example.com' }, undefined, services())).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    const seen: PreSignUpEvent[] = [];
    const preSignUp = async (event: PreSignUpEvent) => {
      seen.push(structuredClone(event));
      event.response.autoConfirmUser = true;
      event.response.autoVerifyEmail = true;
      return event;
    };
    expect(
      await runPreSignUp('ada', { email: 'ada@example.com' }, { invite: 'x' }, services({ preSignUp })),
    ).toEqual({ autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false });
    expect(seen[0]).toMatchObject({
      version: '1',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_Pool12345',
      userName: 'ada',
      triggerSource: 'PreSignUp_SignUp',
      callerContext: { clientId: 'client0001' },
      request: { userAttributes: { email: 'ada@example.com' }, validationData: { invite: 'x' } },
    });
  });

  it("refuses the sign-up with the trigger's message when it throws", async () => {
    const preSignUp = async () => {
      throw new Error('invitations only');
    };
    expect(
      await rejectionMessage(
        runPreSignUp('ada', {}, undefined, services({ preSignUp })),
        'UserLambdaValidationException',
      ),
    ).toBe('PreSignUp failed with error invitations only.');
  });
});

describe('runPreTokenGeneration', () => {
  const claims = { sub: 'u1', email: 'ada@example.com', name: 'Ada', locale: 'en' };

  it('adds the group claims without a trigger, or when it changes nothing', async () => {
    const expected = { claims: { ...claims, ...groupClaims(groups, 'id') }, groups };
    expect(
      await runPreTokenGeneration('ada', 'TokenGeneration_Authentication', claims, {}, groups, services()),
    ).toEqual(expected);
    const preTokenGeneration = async () => undefined;
    expect(
      await runPreTokenGeneration(
        'ada',
        'TokenGeneration_Authentication',
        claims,
        {},
        groups,
        services({ preTokenGeneration }),
      ),
    ).toEqual(expected);
  });

  it('adds, overrides and suppresses claims except the protected ones, and replaces the groups', async () => {
    let seen: PreTokenGenerationEvent | undefined;
    const preTokenGeneration = async (event: PreTokenGenerationEvent) => {
      seen = structuredClone(event);
      event.response.claimsOverrideDetails = {
        claimsToAddOrOverride: { name: 'Countess', plan: 'pro', sub: 'someone-else', email: 'x@example.com' },
        claimsToSuppress: ['locale', 'token_use', 'sub'],
        groupOverrideDetails: { groupsToOverride: ['editors'], iamRolesToOverride: [] },
      };
      return event;
    };
    const result = await runPreTokenGeneration(
      'ada',
      'TokenGeneration_RefreshTokens',
      claims,
      { name: 'Ada' },
      groups,
      services({ preTokenGeneration }),
    );
    expect(seen?.request.groupConfiguration).toEqual({
      groupsToOverride: ['moderators'],
      iamRolesToOverride: ['arn:aws:iam::1:role/mod'],
      preferredRole: 'arn:aws:iam::1:role/mod',
    });
    expect(seen?.triggerSource).toBe('TokenGeneration_RefreshTokens');
    expect(result.groups).toEqual({
      groups: ['editors'],
      roles: [],
      preferredRole: 'arn:aws:iam::1:role/mod',
    });
    expect(result.claims).toEqual({
      sub: 'u1',
      email: 'ada@example.com',
      name: 'Countess',
      plan: 'pro',
      'cognito:groups': ['editors'],
      'cognito:preferred_role': 'arn:aws:iam::1:role/mod',
    });
  });

  it("fails the sign-in with the trigger's message when it throws", async () => {
    const preTokenGeneration = async () => {
      throw new Error('no tokens today');
    };
    expect(
      await rejectionMessage(
        runPreTokenGeneration(
          'ada',
          'TokenGeneration_Authentication',
          claims,
          {},
          noGroups,
          services({ preTokenGeneration }),
        ),
        'UserLambdaValidationException',
      ),
    ).toBe('PreTokenGeneration failed with error no tokens today.');
  });
});
