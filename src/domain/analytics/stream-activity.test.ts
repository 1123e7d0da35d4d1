import { describe, expect, it } from 'vitest';
import { streamRecord } from '../../../test/support/stream-records.ts';
import { keys } from '../social/keys.ts';
import { streamActivityOf } from './stream-activity.ts';

const at = Date.UTC(2026, 11, 7, 23, 59) / 1000;

describe('streamActivityOf', () => {
  it('counts sign-ups, posts, likes, comments and follows on their insert, with who acted', () => {
    const records = [
      streamRecord('INSERT', { new: { ...keys.profile('a') } }, { at }),
      streamRecord('INSERT', { new: { ...keys.post('p1'), authorId: 'a' } }, { at }),
      streamRecord('INSERT', { new: { ...keys.like('p1', 'b') } }, { at }),
      streamRecord('INSERT', { new: { ...keys.comment('p1', 'c1'), authorId: 'c' } }, { at }),
      streamRecord('INSERT', { new: { ...keys.follower('a', 'd') } }, { at }),
      streamRecord('INSERT', { new: { ...keys.following('d', 'a') } }, { at }),
      streamRecord('REMOVE', { old: { ...keys.like('p1', 'b') } }, { at }),
      streamRecord(
        'MODIFY',
        { old: { ...keys.post('p1') }, new: { ...keys.post('p1'), likeCount: 1 } },
        { at },
      ),
    ];
    expect(
      streamActivityOf(records, 'main').map(({ counter, activeUser, day }) => [counter, activeUser, day]),
    ).toEqual([
      ['signUps', 'a', '2026-12-07'],
      ['posts', 'a', '2026-12-07'],
      ['likes', 'b', '2026-12-07'],
      ['comments', 'c', '2026-12-07'],
      ['follows', 'd', '2026-12-07'],
    ]);
    expect(streamActivityOf(records, 'main')[0]!.eventId).toBe(`main/${records[0]!.eventID}`);
  });

  it("counts a passed sign-in on the pool's table as activity", () => {
    const signIn = (eventResponse: string) =>
      streamRecord('INSERT', { new: { PK: 'USER#u1', SK: 'EVENT#01', eventType: 'SignIn', eventResponse } });
    expect(streamActivityOf([signIn('Pass'), signIn('Fail')], 'users')).toMatchObject([{ activeUser: 'u1' }]);
  });

  it("counts a sign-in Cognito's trigger reported in the design's table (on AWS), not its other events", () => {
    const reported = (action: string) =>
      streamRecord('INSERT', { new: { PK: 'USER#u2', SK: `IDEVENT#${action}#01`, audit: { action } } });
    const removed = streamRecord('REMOVE', { old: { PK: 'USER#u2', SK: 'IDEVENT#SignIn#01' } });
    expect(streamActivityOf([reported('SignIn'), reported('PasswordReset'), removed], 'main')).toMatchObject([
      { activeUser: 'u2' },
    ]);
    expect(streamActivityOf([reported('SignIn')], 'main')[0]?.counter).toBeUndefined();
  });
});
