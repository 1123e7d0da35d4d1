/**
 * What each change adds to the day's analytics (ADR 0010): on the design's table, a profile made
 * is a sign-up, and posts, likes, comments and follows are counted when their item is inserted;
 * on the pool's table, a passed sign-in (on AWS, the sign-in Cognito's trigger reports in the
 * design's table). Whoever acted is among the day's active users. The day is the change's, in UTC.
 */
import type { StreamActivity } from '../../ports/analytics-store.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import { newImage, recordKey } from '../../ports/item-store/stream-images.ts';
import { signedInUser } from '../audit/identity-events.ts';
import { sortPrefixes } from '../social/keys.ts';

export type AnalyzedTable = 'main' | 'users';

export function streamActivityOf(records: readonly StreamRecord[], table: AnalyzedTable): StreamActivity[] {
  const activity: StreamActivity[] = [];
  for (const record of records) {
    if (record.eventName !== 'INSERT') continue;
    const found = table === 'main' ? socialActivity(record) : signInActivity(record);
    if (!found) continue;
    activity.push({
      eventId: `${table}/${record.eventID}`,
      day: new Date(record.dynamodb.ApproximateCreationDateTime * 1000).toISOString().slice(0, 10),
      ...found,
    });
  }
  return activity;
}

type Found = Pick<StreamActivity, 'counter' | 'activeUser'>;

function socialActivity(record: StreamRecord): Found | undefined {
  const { PK, SK } = recordKey(record);
  if (PK.startsWith('USER#')) {
    const userId = PK.slice('USER#'.length);
    if (SK === 'PROFILE') return { counter: 'signUps', activeUser: userId };
    // On AWS, a sign-in is reported by Cognito's trigger as an item of the user's (identity-events.ts).
    if (signedInUser(PK, SK)) return { activeUser: userId };
    if (SK.startsWith(sortPrefixes.follower))
      return { counter: 'follows', activeUser: SK.slice(sortPrefixes.follower.length) };
    return undefined;
  }
  if (!PK.startsWith('POST#')) return undefined;
  if (SK === 'METADATA') return { counter: 'posts', ...actor(newImage(record)?.authorId) };
  if (SK.startsWith(sortPrefixes.like))
    return { counter: 'likes', activeUser: SK.slice(sortPrefixes.like.length) };
  if (SK.startsWith(sortPrefixes.comment))
    return { counter: 'comments', ...actor(newImage(record)?.authorId) };
  return undefined;
}

function signInActivity(record: StreamRecord): Found | undefined {
  const { PK, SK } = recordKey(record);
  if (!PK.startsWith('USER#') || !SK.startsWith('EVENT#')) return undefined;
  const event = newImage(record);
  if (event?.eventType !== 'SignIn' || event.eventResponse !== 'Pass') return undefined;
  return { activeUser: PK.slice('USER#'.length) };
}

function actor(userId: unknown): Found {
  return typeof userId === 'string' ? { activeUser: userId } : {};
}
