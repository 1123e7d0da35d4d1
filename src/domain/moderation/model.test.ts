import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test/support/fails-with.ts';
import { reportReasons, requireOneOf, toReport } from './model.ts';

describe('requireOneOf', () => {
  it('takes one of the allowed values and names the field and the choices otherwise', () => {
    expect(requireOneOf('SPAM', reportReasons, 'reason')).toBe('SPAM');
    for (const bad of ['spam', '', 3, undefined])
      expect(thrownMessage(() => requireOneOf(bad, reportReasons, 'reason'), 'BadInput')).toBe(
        'reason must be one of SPAM, HARASSMENT, NUDITY, VIOLENCE, HATE, OTHER',
      );
  });
});

describe('toReport', () => {
  it('reads a report with only the optional fields it holds', () => {
    const open = {
      PK: 'REPORT#r1',
      SK: 'REPORT',
      id: 'r1',
      reporterId: 'cy',
      targetType: 'POST',
      userId: 'ada',
      postId: 'p1',
      reason: 'SPAM',
      status: 'OPEN',
      createdAt: '2026-12-07T08:00:00.000Z',
    };
    expect(toReport(open)).toEqual({
      id: 'r1',
      reporterId: 'cy',
      targetType: 'POST',
      userId: 'ada',
      postId: 'p1',
      reason: 'SPAM',
      status: 'OPEN',
      createdAt: '2026-12-07T08:00:00.000Z',
    });
    expect(
      toReport({
        ...open,
        status: 'RESOLVED',
        action: 'DISMISS',
        resolvedBy: 'mod',
        resolvedAt: 't',
        note: 'ok',
        commentId: 7,
      }),
    ).toMatchObject({
      status: 'RESOLVED',
      action: 'DISMISS',
      resolvedBy: 'mod',
      resolvedAt: 't',
      note: 'ok',
    });
    expect(toReport({ ...open, commentId: 7 })).not.toHaveProperty('commentId');
  });
});
