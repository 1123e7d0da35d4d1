import { describe, expect, it } from 'vitest';
import { streamRecord } from '../../../test/support/stream-records.ts';
import { auditedItem, auditFactsOf } from './audit-facts.ts';

const user = {
  PK: 'USER#u1',
  SK: 'USER',
  sub: 'u1',
  status: 'CONFIRMED',
  enabled: true,
  passwordHash: 'h1',
  failedSignIns: 0,
  lockedUntil: 0,
  revocations: 0,
};
const event = (eventType: string, eventResponse: string, extra: Record<string, unknown> = {}) =>
  streamRecord('INSERT', { new: { PK: 'USER#u1', SK: 'EVENT#01J', eventType, eventResponse, ...extra } });
const actions = (records: Parameters<typeof auditFactsOf>[0], table: 'main' | 'users' = 'users') =>
  auditFactsOf(records, table).map((fact) => fact.action);

describe('auditFactsOf, the pool table', () => {
  it('reads sign-ins and requests from the auth events, with the challenge that failed', () => {
    const facts = auditFactsOf(
      [
        event('SignIn', 'Pass', { context: { IpAddress: '10.0.0.1' } }),
        event('SignIn', 'Fail', { challenges: [{ ChallengeName: 'Mfa', ChallengeResponse: 'Failure' }] }),
        event('ForgotPassword', 'InProgress'),
        event('ResendCode', 'Pass'),
      ],
      'users',
    );
    expect(facts).toMatchObject([
      { kind: 'sign-in', action: 'sign-in.success', userId: 'u1', actor: 'u1', detail: { ip: '10.0.0.1' } },
      { kind: 'sign-in', action: 'sign-in.failure', detail: { challenge: 'Mfa' } },
      { kind: 'account', action: 'password.reset-requested' },
    ]);
    expect(facts[0]!.at).toBe('2026-12-07T12:00:00.000Z');
  });

  it("reads lockout, password, MFA, enabled, status and sessions from the user record's changes", () => {
    const modify = (changes: Record<string, unknown>) =>
      streamRecord('MODIFY', { old: user, new: { ...user, ...changes } });
    expect(actions([modify({ failedSignIns: 5, lockedUntil: Date.UTC(2026, 11, 7, 12, 0, 1) })])).toEqual([
      'sign-in.lockout',
    ]);
    expect(actions([modify({ failedSignIns: 1 })])).toEqual([]);
    expect(actions([modify({ passwordHash: 'h2' })])).toEqual(['password.changed']);
    expect(auditFactsOf([modify({ totpSecret: 'S', mfaEnabled: true })], 'users')[0]).toMatchObject({
      action: 'mfa.changed',
      detail: { softwareToken: true, sms: false },
    });
    expect(actions([modify({ enabled: false, revocations: 1 })])).toEqual([
      'user.disabled',
      'sessions.ended',
    ]);
    expect(actions([modify({ status: 'RESET_REQUIRED' })])).toEqual(['status.changed']);
    expect(actions([streamRecord('REMOVE', { old: user })])).toEqual(['user.deleted']);
  });

  it('reads group changes and admin operations', () => {
    const membership = { PK: 'USER#u1', SK: 'GROUP#moderators' };
    const admin = {
      PK: 'ADMINOP#01J',
      SK: 'ADMINOP',
      ...auditedItem({ kind: 'admin', action: 'AdminDisableUser', actor: 'admin:local', userId: 'u1' }),
    };
    expect(
      auditFactsOf(
        [streamRecord('INSERT', { new: membership }), streamRecord('INSERT', { new: admin })],
        'users',
      ),
    ).toMatchObject([
      { kind: 'account', action: 'group.added', detail: { group: 'moderators' } },
      { kind: 'admin', action: 'AdminDisableUser', actor: 'admin:local', userId: 'u1' },
    ]);
  });

  it("names each fact after its change, so a redelivered change's facts are the same", () => {
    const record = streamRecord('MODIFY', {
      old: user,
      new: { ...user, passwordHash: 'h2', enabled: false },
    });
    const sources = auditFactsOf([record], 'users').map((fact) => fact.source);
    expect(sources).toEqual([`users/${record.eventID}`, `users/${record.eventID}#1`]);
    expect(auditFactsOf([record], 'users').map((fact) => fact.source)).toEqual(sources);
  });
});

describe('auditFactsOf, the main table', () => {
  it('reads deletions of accounts, posts and comments, but not what expires', () => {
    const facts = auditFactsOf(
      [
        streamRecord('REMOVE', { old: { PK: 'USER#u1', SK: 'PROFILE' } }),
        streamRecord('REMOVE', { old: { PK: 'POST#p1', SK: 'METADATA', authorId: 'u2' } }),
        streamRecord('REMOVE', { old: { PK: 'POST#p1', SK: 'COMMENT#c1', authorId: 'u3' } }),
        streamRecord('REMOVE', { old: { PK: 'USER#u1', SK: 'STORY#s1' } }, { byTtl: true }),
        streamRecord('INSERT', { new: { PK: 'POST#p2', SK: 'METADATA', authorId: 'u2' } }),
      ],
      'main',
    );
    expect(facts).toMatchObject([
      { kind: 'deletion', action: 'account.deleted', userId: 'u1' },
      { kind: 'deletion', action: 'post.deleted', userId: 'u2', detail: { postId: 'p1' } },
      {
        kind: 'deletion',
        action: 'comment.deleted',
        userId: 'u3',
        detail: { postId: 'p1', commentId: 'c1' },
      },
    ]);
  });

  it("records an action from any item that carries one (moderation's, for one)", () => {
    const report = {
      PK: 'REPORT#r1',
      SK: 'REPORT',
      ...auditedItem({
        action: 'report.resolved',
        actor: 'mod1',
        userId: 'u2',
        detail: { outcome: 'removed' },
      }),
    };
    const open = { PK: 'REPORT#r1', SK: 'REPORT', status: 'OPEN' };
    // Changed again later, the item keeps its action: it is recorded once.
    expect(
      auditFactsOf([streamRecord('MODIFY', { old: report, new: { ...report, note: 'x' } })], 'main'),
    ).toEqual([]);
    expect(auditFactsOf([streamRecord('MODIFY', { old: open, new: report })], 'main')).toMatchObject([
      {
        kind: 'action',
        action: 'report.resolved',
        actor: 'mod1',
        userId: 'u2',
        detail: { outcome: 'removed' },
      },
    ]);
  });
});
